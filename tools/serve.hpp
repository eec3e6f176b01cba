#pragma once

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <string>
#include <thread>

#include "commands/password.hpp"
#include "tools/options.hpp"

namespace clientele::tools {

// The default of --http-threads: four per core, 4 to 64. Routes block their thread while they
// wait for the disk (an append's fsync) or for a turn to hash a password (the hasher runs one hash
// per core at once), and Pistache hands each connection to one thread for good, so with one
// thread per core a few connections that log in would leave cores idle.
inline int default_http_threads() {
  return static_cast<int>(std::clamp(4 * std::thread::hardware_concurrency(), 4U, 64U));
}

struct ServeOptions {
  StoreOptions store;                     // the installation
  std::string listen = "127.0.0.1:8080";  // --listen HOST:PORT of the REST API; port 0: any free
  std::string port_file;                  // --port-file: write the address bound here; "" = no
  int http_threads = default_http_threads();  // --http-threads serving the API
  std::int64_t ready_max_lag = 1000;          // --ready-max-lag: /readyz fails past this lag
  double drain_seconds = 10;                  // --drain-timeout: longest wait for requests on stop
  // --docs-dir: the swagger-ui-dist directory of /docs; by default where tools/setup.sh installs
  // it for the build tree the executable was built in (CMakeLists.txt: CLIENTELE_DOCS_DIR).
  std::string docs_dir = CLIENTELE_DOCS_DIR;
  // --argon2-ops, --argon2-memory-mib: the cost of password hashing (argon2id); below OWASP's
  // minimum only with --allow-weak-password-hashing (for tests).
  unsigned long long argon2_ops = commands::PasswordHashing::kMinOpsLimit;
  std::size_t argon2_memory_mib = commands::PasswordHashing::kMinMemLimit >> 20;
  bool allow_weak_password_hashing = false;
  // --auth-rate, --auth-burst: requests per second, and at once, per client address on the auth
  // routes.
  double auth_rate = 5;
  double auth_burst = 20;
  // --oidc-config: the identity providers of federated login (oidc_config.hpp); "" = none, and
  // federated login answers 400.
  std::string oidc_config;
};

// Adds the options of `serve` to `command`, bound to `options`.
void add_serve_options(CLI::App& command, ServeOptions& options);

// `clientele serve`: opens the installation, folds the log into the read models, answers the
// REST API and the admin channel, and runs until SIGTERM or SIGINT. Then it drains the API
// (requests that begin are refused with 503, those in flight are answered), lets the projector
// commit its batch, and exits. Returns the exit code: 0 after a clean stop, 1 when the stores
// cannot be opened, the address cannot be bound or the --oidc-config file does not load.
int run_serve(const ServeOptions& options);

}  // namespace clientele::tools
