#include "tools/serve.hpp"

#include <csignal>
#include <filesystem>

#include "infra/embedded_event_log.hpp"
#include "infra/logging.hpp"

namespace clientele::tools {

int run_serve(const StoreOptions& options) {
  // Block the stop signals before any thread starts, so every thread inherits the mask and the
  // main thread alone receives them in sigwait().
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const auto directory = std::filesystem::absolute(options.event_log_dir()).lexically_normal();
  auto log = infra::EmbeddedEventLog::open({directory, options.partitions});
  if (!log) {
    infra::log_error("cannot open the event log",
                     {{"path", directory.string()}, {"error", log.error().message}});
    return 1;
  }
  std::int64_t events = 0;
  for (std::int32_t p = 0; p < (*log)->partition_count(); ++p) {
    events += (*log)->end_offset(events::Partition{p})->value;
  }
  infra::log_info("event log opened", {{"eventLog", "embedded"},
                                       {"path", directory.string()},
                                       {"partitions", (*log)->partition_count()},
                                       {"events", events}});
  infra::log_info("ready", {{"pid", ::getpid()}});

  int signal = 0;
  sigwait(&stop_signals, &signal);
  infra::log_info("stopping", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
  log->reset();
  infra::log_info("stopped");
  return 0;
}

}  // namespace clientele::tools
