#include "tools/serve.hpp"

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <stop_token>
#include <thread>

#include "infra/admin_socket.hpp"
#include "infra/logging.hpp"
#include "infra/scratch_dir.hpp"
#include "projections/projector.hpp"
#include "projections/rebuild.hpp"
#include "tools/admin.hpp"
#include "tools/installation.hpp"
#include "tools/read_models.hpp"
#include "tools/rebuilds.hpp"
#include "tools/stop_signals.hpp"

namespace clientele::tools {
namespace {

// Logs "read models caught up" once `projector` has folded every event `log` holds now, unless
// `stop` comes first.
void announce_caught_up(const projections::Projector& projector, events::EventReader& log,
                        const std::stop_token& stop) {
  std::int64_t events = 0;
  for (std::int32_t p = 0; p < log.partition_count(); ++p) {
    const auto end = log.end_offset(events::Partition{p});
    if (!end) return;
    events += end->value;
    if (end->value == 0) continue;
    const events::Position last{events::Partition{p}, events::Offset{end->value - 1}};
    while (!projector.wait_for(last, std::chrono::milliseconds(200))) {
      if (stop.stop_requested()) return;
    }
  }
  infra::log_info("read models caught up", {{"events", events}});
}

// Opens the installation and its read models, folds the log into them, and waits for the stop.
// Returns the exit code.
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
  infra::ScratchDir::remove_abandoned(options.data_path());

  auto views = ReadModels::open(options.data_dir, installation->secrets.pepper);
  if (!views) {
    infra::log_error("cannot open the read models", {{"error", views.error().message}});
    return 1;
  }
  auto& keys = *installation->keys;
  projections::ProjectorOptions projecting;
  projecting.on_erased = [&keys](const CustomerId& customer) { keys.invalidate(customer); };
  projecting.on_stopped = [](events::Partition partition, const Error& error) {
    infra::log_error("a partition stopped folding",
                     {{"partition", partition.value}, {"error", error.message}});
  };
  auto& store = *(*views)->store;
  projections::Projector projector(log, keys, store, std::vector<projections::Binding>{},
                                   projecting);
  auto outdated = projections::bind_live(projector, store, (*views)->all());
  if (!outdated) {
    infra::log_error("cannot read the read-model catalog", {{"error", outdated.error().message}});
    return 1;
  }
  if (auto started = projector.start(); !started) {
    infra::log_error("cannot start the projector", {{"error", started.error().message}});
    return 1;
  }
  // Read models whose version changed are rebuilt beside their old build, which keeps answering;
  // so are those an admin request names.
  std::stop_source stopping;
  Rebuilds rebuilds(**views, projector, log, keys, stopping.get_token());
  std::jthread rebuilder([&] {
    for (const auto* model : *outdated) (void)rebuilds.rebuild(*model, "version changed");
  });
  AdminCommands commands;
  rebuilds.add_to(commands);
  const auto socket = infra::admin_socket_path(options.data_path());
  auto admin = infra::AdminServer::listen(
      socket, [&commands](const nlohmann::json& request) { return commands.answer(request); });
  if (!admin) {
    infra::log_error("cannot open the admin channel", {{"error", admin.error().message}});
    stopping.request_stop();
    return 1;
  }
  infra::log_info("admin channel open", {{"socket", socket.string()}});
  infra::log_info("ready", {{"pid", ::getpid()}});
  std::jthread announcer([&](std::stop_token stop) { announce_caught_up(projector, log, stop); });

  wait_for_stop();
  stopping.request_stop();  // cancels the rebuilds in progress
  admin->reset();           // answers the requests in progress, removes the socket
  announcer.request_stop();
  announcer.join();
  rebuilder.join();
  projector.stop();
  infra::log_info("projector stopped", {{"eventsFolded", projector.events_folded()}});
  return 0;
}

}  // namespace

int run_serve(const StoreOptions& options) {
  return run_until_signal(
      [&](const std::function<void()>& wait_for_stop) { return serve(options, wait_for_stop); });
}

}  // namespace clientele::tools
