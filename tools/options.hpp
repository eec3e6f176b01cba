#pragma once
// Options shared by the subcommands that open an installation: one --data-dir names it
// (DESIGN.md §7). Each option also reads a CLIENTELE_* environment variable.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <string>

namespace clientele::tools {

struct StoreOptions {
  std::string data_dir = "./var";  // the installation's data directory
  std::int32_t partitions = 12;    // partitions of the event log (fixed once created)
  std::string kek_file;            // file holding the key-encryption key (else CLIENTELE_KEK)
  std::string pepper_file;         // file holding the blind-index pepper (else CLIENTELE_PEPPER)

  std::filesystem::path event_log_dir() const { return std::filesystem::path(data_dir) / "events"; }
};

// Adds --data-dir, --partitions, --kek-file and --pepper-file to `command`, bound to `options`.
void add_store_options(CLI::App& command, StoreOptions& options);

}  // namespace clientele::tools
