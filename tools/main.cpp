// clientele: the command-line entry point and composition root (DESIGN.md §1, §7).

#include <CLI/CLI.hpp>

#include "infra/logging.hpp"
#include "tools/bench.hpp"
#include "tools/options.hpp"
#include "tools/serve.hpp"

int main(int argc, char** argv) {
  using namespace clientele;
  CLI::App app{
      "clientele: an event-sourced customer system (customers, addresses, orders, "
      "complaints)"};
  app.set_config("--config", "",
                 "Read options from a TOML/INI file (flags and CLIENTELE_* "
                 "environment variables take precedence)");
  app.require_subcommand(1);

  tools::StoreOptions serve_options;
  auto* serve = app.add_subcommand("serve",
                                   "Run the service on the embedded event log until "
                                   "SIGTERM");
  tools::add_store_options(*serve, serve_options);

  auto* bench = app.add_subcommand("bench", "Run a benchmark scenario; prints one JSON object");
  bench->require_subcommand(1);
  tools::LogAppendBench log_append;
  auto* log_append_cmd = bench->add_subcommand(
      "log-append", "Durable appends of one ~400-byte event from concurrent appenders");
  log_append_cmd->add_option("--appenders", log_append.appenders, "Concurrent appenders")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  log_append_cmd->add_option("--events", log_append.events, "Commands to append in all")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100'000'000}))
      ->capture_default_str();
  log_append_cmd->add_option("--partitions", log_append.partitions, "Partitions of the log")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  log_append_cmd->add_option("--data-dir", log_append.data_dir,
                             "Directory for the log (default: a scratch directory, removed)");

  CLI11_PARSE(app, argc, argv);
  infra::init_logging();
  if (serve->parsed()) return tools::run_serve(serve_options);
  if (log_append_cmd->parsed()) return tools::run_log_append_bench(log_append);
  return 2;
}
