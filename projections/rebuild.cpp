#include "projections/rebuild.hpp"

#include <algorithm>

namespace clientele::projections {
namespace {

// How often a rebuild looks whether it should stop.
constexpr std::chrono::milliseconds kPoll{200};

// The next build of `model`'s current version: one past the highest that exists.
Namespace next_build(const ReadModel& model, const std::vector<Namespace>& existing) {
  auto next = model.ns();
  for (const auto& ns : existing) {
    if (ns.model == next.model && ns.version == next.version)
      next.build = std::max(next.build, ns.build + 1);
  }
  return next;
}

// Drops every namespace of `model` but `keep`.
Result<void> drop_others(const ReadModel& model, const Namespace& keep, ReadModelStore& store) {
  for (const auto& ns : store.namespaces()) {
    if (ns.model != model.name() || ns == keep) continue;
    if (auto dropped = store.drop(ns); !dropped) return dropped;
  }
  return success();
}

// Waits until `building` has folded what the log holds now. errc::unavailable when `stop` is
// requested first; the error of a partition that stopped folding.
Result<void> wait_caught_up(const Projector& building, events::EventReader& log,
                            const std::stop_token& stop) {
  for (std::int32_t p = 0; p < log.partition_count(); ++p) {
    const events::Partition partition{p};
    auto end = log.end_offset(partition);
    if (!end) return end.error();
    if (end->value == 0) continue;
    while (!building.wait_for({partition, events::Offset{end->value - 1}}, kPoll)) {
      if (stop.stop_requested()) return make_error(errc::unavailable, "", "rebuild cancelled");
      const auto progress = building.progress();
      if (!progress[static_cast<std::size_t>(p)].error.empty()) {
        return make_error(errc::corrupt, "",
                          "the rebuild stopped: " + progress[static_cast<std::size_t>(p)].error);
      }
    }
  }
  return success();
}

}  // namespace

Result<std::optional<Namespace>> live_namespace(const Snapshot& snapshot, std::string_view model) {
  auto stored = snapshot.get(kCatalog, model);
  if (!stored) {
    if (stored.error().code == errc::not_found) return std::optional<Namespace>();
    return stored.error();
  }
  if (!*stored) return std::optional<Namespace>();
  auto ns = parse_namespace(**stored);
  if (!ns || ns->model != model) {
    return make_error(errc::corrupt, "", "the catalog names no namespace of " + std::string(model));
  }
  return std::optional<Namespace>(*ns);
}

void set_live_namespace(WriteBatch& batch, const Namespace& ns) {
  batch.put(kCatalog, ns.model, ns.str());
}

Result<Namespace> rebuild(const ReadModel& model, Projector& live, events::EventReader& log,
                          events::KeyStore& keys, ReadModelStore& store, ProjectorOptions options,
                          std::stop_token stop) {
  if (auto made = store.create(kCatalog); !made) return made.error();
  const auto next = next_build(model, store.namespaces());
  options.on_erased = nullptr;  // the live projector tells the caches
  Projector building(log, keys, store, std::vector<Binding>{{&model, next}}, options);
  if (auto started = building.start(); !started) return started.error();
  if (auto caught_up = wait_caught_up(building, log, stop); !caught_up) return caught_up.error();
  // Merged before it takes over: a bulk load leaves many files, which every query would touch.
  if (auto settled = store.settle(next); !settled) return settled.error();
  building.stop();

  const bool was_running = live.running();
  live.stop();
  auto built = building.catch_up();  // what came meanwhile
  if (built) {
    auto batch = store.batch();
    set_live_namespace(*batch, next);
    built = store.commit(*batch);
  }
  if (built) live.bind(model, next);
  if (was_running) {
    if (auto resumed = live.start(); !resumed) return resumed.error();
  }
  if (!built) return built.error();
  if (auto dropped = drop_others(model, next, store); !dropped) return dropped.error();
  return next;
}

Result<std::vector<const ReadModel*>> bind_live(Projector& live, ReadModelStore& store,
                                                const std::vector<const ReadModel*>& models) {
  if (auto made = store.create(kCatalog); !made) return made.error();
  const auto snapshot = store.snapshot();
  auto batch = store.batch();
  std::vector<const ReadModel*> outdated;
  for (const auto* model : models) {
    auto current = live_namespace(*snapshot, model->name());
    if (!current) return current.error();
    if (!*current) {
      set_live_namespace(*batch, model->ns());
      live.bind(*model, model->ns());
    } else if ((*current)->version == model->version()) {
      live.bind(*model, **current);
    } else {
      outdated.push_back(model);
    }
  }
  if (auto committed = store.commit(*batch); !committed) return committed.error();
  return outdated;
}

}  // namespace clientele::projections
