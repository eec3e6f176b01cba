#include "api/lag_monitor.hpp"

#include <algorithm>

namespace clientele::api {

std::int64_t LagSample::max_lag() const {
  std::int64_t most = 0;
  for (const auto& model : models) {
    for (const auto lag : model.lag) most = std::max(most, lag);
  }
  return most;
}

LagMonitor::LagMonitor(events::EventReader& log, const projections::Projector& projector,
                       projections::ReadModelStore& store, std::chrono::milliseconds interval)
    : log_(log), projector_(projector), store_(store), interval_(interval) {}

LagMonitor::~LagMonitor() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LagMonitor::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      auto sample = measure();
      lock.lock();
      latest_ = std::move(sample);
      wake_.wait_for(lock, interval_, [this] { return stopping_; });
    }
  });
}

LagSample LagMonitor::latest() const {
  std::lock_guard lock(mu_);
  return latest_;
}

bool LagMonitor::bound(const projections::Namespace& ns) const {
  const auto bindings = projector_.bindings();
  return std::any_of(bindings.begin(), bindings.end(),
                     [&](const projections::Binding& binding) { return binding.ns == ns; });
}

LagSample LagMonitor::measure() const {
  LagSample sample;
  sample.measured = true;
  for (const auto& partition : projector_.progress()) {
    if (!partition.error.empty()) sample.stopped.push_back(partition.partition.value);
  }
  // The checkpoints before the ends, so that no lag comes out negative.
  const auto bindings = projector_.bindings();
  const auto snapshot = store_.snapshot();
  std::vector<std::pair<std::string, std::vector<events::Offset>>> checkpoints;
  for (const auto& binding : bindings) {
    auto read = projections::read_checkpoints(*snapshot, binding.ns, log_.partition_count());
    if (!read && read.error().code == errc::not_found) {
      // A namespace the snapshot does not have: dropped by a rebuild that switched the model to
      // a new build just now (measured next time), or not made yet (nothing folded).
      if (!bound(binding.ns)) continue;
      read = std::vector<events::Offset>(static_cast<std::size_t>(log_.partition_count()));
    }
    if (!read) {
      sample.error = read.error().message;
      break;
    }
    checkpoints.emplace_back(binding.ns.model, std::move(*read));
  }
  auto ends = events::end_offsets(log_);
  if (!ends) sample.error = ends.error().message;
  if (sample.error.empty()) {
    for (const auto end : *ends) sample.ends.push_back(end.value);
    for (const auto& [model, at] : checkpoints) {
      ModelLag lag{model, {}};
      for (std::size_t p = 0; p < at.size(); ++p) {
        lag.lag.push_back(std::max<std::int64_t>(0, sample.ends[p] - at[p].value));
      }
      sample.models.push_back(std::move(lag));
    }
    std::sort(sample.models.begin(), sample.models.end(),
              [](const ModelLag& a, const ModelLag& b) { return a.model < b.model; });
  }
  sample.taken = std::chrono::steady_clock::now();
  return sample;
}

}  // namespace clientele::api
