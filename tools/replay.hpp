#pragma once
// `clientele replay`: analysts stream the event log, one event per line, as JSON lines (each
// line events::to_json of the envelope plus "position":"<partition>:<offset>") or as CSV.
//
// Pseudonymous by default: sealed blocks are left out and every customer id is replaced by
// "PSN_" + the first 32 hex digits of HMAC-SHA256(pseudonym key, customer id), so that two runs
// with the same key can be joined. --with-personal-data opens the sealed blocks instead and keeps
// the ids in the clear; an erased customer's events then come out with "personal": null and
// "erased": true.
//
// Memory stays constant for any log size: each partition is read with a cursor in batches, and
// pseudonyms are remembered in a fixed number of slots.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "tools/options.hpp"

namespace clientele::tools {

struct ReplayOptions {
  StoreOptions store;
  std::vector<std::string> types;   // --type: keep only these wire names; empty keeps every type
  std::string customer;             // --customer: keep only this customer's events; empty: all
  std::string since;                // --since: keep events at or after this UTC timestamp
  std::string until;                // --until: keep events before this UTC timestamp
  std::int32_t partition = -1;      // --partition: read only this partition; -1: all
  std::int64_t from_offset = 0;     // --from-offset: start there (needs --partition)
  std::int64_t limit = -1;          // --limit: print at most this many events; -1: no limit
  std::string format = "jsonl";     // --format: "jsonl" or "csv"
  std::vector<std::string> fields;  // --fields: CSV columns, dotted paths; empty: the defaults
  std::string pseudonym_key_file;   // --pseudonym-key-file; else CLIENTELE_PSEUDONYM_KEY
  bool with_personal_data = false;  // --with-personal-data: open sealed blocks, no pseudonyms
};

// Adds the `replay` subcommand to `app`, its options bound to `options`. Returns it.
CLI::App* add_replay_command(CLI::App& app, ReplayOptions& options);

// Streams the selected events to stdout. Returns the exit code: 0 when every selected event was
// printed; 1 when the installation cannot be opened or read, or when some event could not be
// parsed or opened (each logged with its position; the others are still printed); 2 when an
// option is malformed (an unknown type, a malformed timestamp, a partition out of range, an
// unreadable pseudonym key).
int run_replay(const ReplayOptions& options);

}  // namespace clientele::tools
