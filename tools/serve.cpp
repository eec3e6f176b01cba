#include "tools/serve.hpp"

#include <csignal>
#include <filesystem>

#include "infra/logging.hpp"
#include "tools/installation.hpp"

namespace clientele::tools {
namespace {

// Opens the installation, reports it, and waits for one of `stop_signals`. Returns the exit code.
int serve_until_signal(const StoreOptions& options, const sigset_t& stop_signals) {
  auto installation = open_installation(options);
  if (!installation) {
    infra::log_error("cannot open the installation", {{"error", installation.error().message}});
    return 1;
  }
  auto& log = *installation->log;
  std::int64_t events = 0;
  for (std::int32_t p = 0; p < log.partition_count(); ++p) {
    events += log.end_offset(events::Partition{p})->value;
  }
  const auto directory = std::filesystem::absolute(options.event_log_dir()).lexically_normal();
  infra::log_info("event log opened", {{"eventLog", "embedded"},
                                       {"path", directory.string()},
                                       {"partitions", log.partition_count()},
                                       {"events", events}});
  infra::log_info("ready", {{"pid", ::getpid()}});

  int signal = 0;
  sigwait(&stop_signals, &signal);
  infra::log_info("stopping", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
  return 0;
}

}  // namespace

int run_serve(const StoreOptions& options) {
  // Block the stop signals before any thread starts, so every thread inherits the mask and the
  // main thread alone receives them in sigwait().
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const int code = serve_until_signal(options, stop_signals);  // every store is closed after it
  if (code == 0) infra::log_info("stopped");
  return code;
}

}  // namespace clientele::tools
