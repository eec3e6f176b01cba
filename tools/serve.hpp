#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "tools/options.hpp"

namespace clientele::tools {

struct ServeOptions {
  StoreOptions store;                     // the installation
  std::string listen = "127.0.0.1:8080";  // --listen HOST:PORT of the REST API; port 0: any free
  std::string port_file;                  // --port-file: write the address bound here; "" = no
  int http_threads = 2;                   // --http-threads serving the API
  std::int64_t ready_max_lag = 1000;      // --ready-max-lag: /readyz fails past this lag
  double drain_seconds = 10;              // --drain-timeout: longest wait for requests on stop
};

// Adds the options of `serve` to `command`, bound to `options`.
void add_serve_options(CLI::App& command, ServeOptions& options);

// `clientele serve`: opens the installation, folds the log into the read models, answers the
// REST API and the admin channel, and runs until SIGTERM or SIGINT. Then it drains the API
// (requests that begin are refused with 503, those in flight are answered), lets the projector
// commit its batch, and exits. Returns the exit code: 0 after a clean stop, 1 when the stores
// cannot be opened or the address cannot be bound.
int run_serve(const ServeOptions& options);

}  // namespace clientele::tools
