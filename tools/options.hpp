#pragma once
// Options shared by the subcommands that open an installation: one --data-dir names it
// (DESIGN.md §7). Each option also reads a CLIENTELE_* environment variable.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "domain/result.hpp"

namespace clientele::tools {

struct StoreOptions {
  std::string data_dir = "./var";  // the installation's data directory
  // "embedded" (DATA/events) or "kafka://HOST:PORT[,HOST:PORT...]"
  std::string event_log = "embedded";
  std::int32_t partitions = 12;  // partitions of the event log (fixed once created)
  std::string kek_file;          // file holding the key-encryption key (else CLIENTELE_KEK)
  std::string pepper_file;       // file holding the blind-index pepper (else CLIENTELE_PEPPER)
  // file holding the access-token signing key (else CLIENTELE_JWT_SECRET)
  std::string jwt_secret_file;

  std::filesystem::path event_log_dir() const { return std::filesystem::path(data_dir) / "events"; }
  // The data directory as an absolute path: the same whichever directory a command runs in.
  std::filesystem::path data_path() const {
    return std::filesystem::absolute(data_dir).lexically_normal();
  }
};

// Adds --data-dir, --event-log, --partitions, --kek-file, --pepper-file and --jwt-secret-file to
// `command`, bound to `options`.
void add_store_options(CLI::App& command, StoreOptions& options);

// The Kafka bootstrap servers ("HOST:PORT,...") an --event-log names, or "" for "embedded".
// errc::invalid naming --event-log when it is neither.
Result<std::string> kafka_bootstrap_of(std::string_view event_log);

// Adds --event-log to `command`, bound to `event_log`.
CLI::Option* add_event_log_option(CLI::App& command, std::string& event_log);

}  // namespace clientele::tools
