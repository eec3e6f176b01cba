#pragma once
// `clientele projections ...`: what ops see of the read models (DESIGN.md §5).
//   status  per read model: its version, state, the events it folds per second (from two looks at
//           its checkpoints --sample seconds apart), and per partition its checkpoint, the log's
//           end and the lag between them; as one JSON object on stdout.
//   rebuild builds the named read models (or --all) afresh beside their live builds and switches
//           to the new builds (DESIGN.md §5); prints the new namespaces as JSON.
//   verify  folds the log afresh into a scratch store (in DATA/scratch, removed afterwards) and
//           compares every read model's digest with the live one; exit 1 on any difference.
// All three work while the service runs (DESIGN.md §7): status and verify open the stores
// read-only, as RocksDB secondary instances (Kafka is read directly); rebuild hands its request
// to the service over the admin channel (tools/admin.hpp), or, when no service runs, opens the
// stores and executes it here with the same code.

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "tools/options.hpp"

namespace clientele::tools {

struct ProjectionsOptions {
  StoreOptions store;
  std::vector<std::string> rebuild;  // rebuild: the read models named
  bool rebuild_all = false;          // rebuild --all
  double sample_seconds = 1;         // status --sample: seconds between looks; 0: no rates
};

// Adds `projections` and its subcommands to `app`, bound to `options`.
CLI::App* add_projections_command(CLI::App& app, ProjectionsOptions& options);

// Runs the subcommand of `command` that was given. Returns the exit code: 0, or 1 when the
// installation or the read models cannot be opened, verify found a difference, or the rebuild
// failed.
int run_projections(const CLI::App& command, const ProjectionsOptions& options);

}  // namespace clientele::tools
