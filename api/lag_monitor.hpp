#pragma once
// How far the read models are behind the event log (DESIGN.md §5), measured on a thread of its
// own every `interval`, so that /readyz and /metrics answer at once even when the log is slow to
// answer (a Kafka broker that is down makes each look wait for its timeout).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "events/event_log.hpp"
#include "projections/projector.hpp"
#include "projections/read_model_store.hpp"

namespace clientele::api {

// One read model's lag: per partition, the log's end minus the model's checkpoint.
struct ModelLag {
  std::string model;              // the read model's name (no personal data)
  std::vector<std::int64_t> lag;  // per partition, in partition order
};

// One measurement.
struct LagSample {
  bool measured = false;                        // false until the first measurement ends
  std::chrono::steady_clock::time_point taken;  // when it ended
  std::string error;                            // why the log or store could not be read
  std::vector<std::int64_t> ends;               // the log's end per partition
  std::vector<ModelLag> models;                 // each model the projector folds
  std::vector<std::int32_t> stopped;            // partitions that stopped folding (an error)

  // The largest lag of any model in any partition (0 without models).
  std::int64_t max_lag() const;
};

class LagMonitor {
 public:
  // Measures the models `projector` folds into `store` against `log`; all must outlive the
  // monitor.
  LagMonitor(events::EventReader& log, const projections::Projector& projector,
             projections::ReadModelStore& store, std::chrono::milliseconds interval);
  ~LagMonitor();  // stops measuring
  LagMonitor(const LagMonitor&) = delete;
  LagMonitor& operator=(const LagMonitor&) = delete;

  // Starts measuring, at once and then every interval.
  void start();
  // The latest measurement. Thread-safe.
  LagSample latest() const;
  // Measures once, now (what the thread does).
  LagSample measure() const;

 private:
  // Whether the projector folds into `ns` now.
  bool bound(const projections::Namespace& ns) const;

  events::EventReader& log_;                  // whose partitions' ends are measured
  const projections::Projector& projector_;   // whose bindings and progress are measured
  projections::ReadModelStore& store_;        // holding the bound models' checkpoints
  const std::chrono::milliseconds interval_;  // between two measurements

  mutable std::mutex mu_;
  std::condition_variable wake_;  // ends the wait between measurements on stop
  bool stopping_ = false;         // guarded by mu_
  LagSample latest_;              // guarded by mu_
  std::thread thread_;            // measures; joined by the destructor
};

}  // namespace clientele::api
