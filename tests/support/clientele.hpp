#pragma once
// The `clientele` executable as the tests run it: its path, its JSON log lines, installations
// for it to open, and the long-running subcommands (serve, kafka-dev-broker) on free ports.
// A test target that includes this defines CLIENTELE_BINARY (the executable's path) and links
// clientele_infra.

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "events/crypto.hpp"
#include "tests/support/process.hpp"

namespace clientele::testing {

// The executable under test.
inline const std::string kBinary = CLIENTELE_BINARY;

// Reads JSON log lines of `child` until one has "msg" == `message`; every line read must be a
// JSON object with ts, level and msg (a test failure otherwise). Returns that line, or null if it
// did not come within 30 s of the previous line; with `seen`, collects every line read.
nlohmann::json wait_for_log(Child& child, const std::string& message,
                            std::vector<nlohmann::json>* seen = nullptr);

// The first line of `file` once it exists (waiting up to `limit`), or "" if it did not come.
std::string first_line_when_there(const std::filesystem::path& file,
                                  std::chrono::milliseconds limit = std::chrono::seconds(30));

// Writes `key` to `file`, readable by its owner only.
void write_secret(const std::filesystem::path& file, const events::SecretKey& key);

// The options naming the data directory (DIR/var) and the secret files (DIR/kek, DIR/pepper) of
// the installation in `dir`.
std::vector<std::string> store_options(const std::filesystem::path& dir);

// The command line of `clientele serve` with `options`, listening on a free loopback port
// (--listen 127.0.0.1:0): tests run side by side, and the default port may be taken.
std::vector<std::string> serve_with(std::vector<std::string> options);

// serve_with() the installation in `dir` (store_options).
std::vector<std::string> serve_command(const std::filesystem::path& dir);

// Makes an installation in `dir` (store_options) whose embedded log holds three events: two
// customers registered, one of them logged in. Use with ASSERT_NO_FATAL_FAILURE.
void write_three_events(const std::filesystem::path& dir);

// `clientele kafka-dev-broker` with its port file in `dir`, and the address it wrote there ("" if
// none came). Killed when the object dies.
struct DevBroker {
  explicit DevBroker(const std::filesystem::path& dir);

  Child child;
  std::string servers;  // "127.0.0.1:PORT"
};

// `clientele serve` on a free loopback port with a port file in `dir`, running until the object
// dies (SIGKILL) or stop() is called on `child`.
struct Service {
  // Runs `argv` (serve_with() or serve_command(), with any options) adding --port-file.
  Service(std::vector<std::string> argv, const std::filesystem::path& dir);

  // "http://127.0.0.1:PORT" + `path`.
  std::string url(std::string_view path) const;

  Child child;
  std::string address;  // "127.0.0.1:PORT" once it listens; "" if that did not happen in 30 s
};

}  // namespace clientele::testing
