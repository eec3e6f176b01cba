#include "tools/serve.hpp"

#include <unistd.h>

#include <filesystem>
#include <functional>

#include "infra/logging.hpp"
#include "tools/installation.hpp"
#include "tools/stop_signals.hpp"

namespace clientele::tools {
namespace {

// Opens the installation, reports it, and waits for the stop. Returns the exit code.
int serve(const StoreOptions& options, const std::function<void()>& wait_for_stop) {
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
  nlohmann::json opened{
      {"eventLog", options.event_log}, {"partitions", log.partition_count()}, {"events", events}};
  if (options.event_log == "embedded") {
    opened["path"] = std::filesystem::absolute(options.event_log_dir()).lexically_normal().string();
  }
  infra::log_info("event log opened", opened);
  infra::log_info("ready", {{"pid", ::getpid()}});

  wait_for_stop();
  return 0;
}

}  // namespace

int run_serve(const StoreOptions& options) {
  return run_until_signal(
      [&](const std::function<void()>& wait_for_stop) { return serve(options, wait_for_stop); });
}

}  // namespace clientele::tools
