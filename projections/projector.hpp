#pragma once
// The projector runtime (DESIGN.md §5): reads every partition of the log, opens each event with
// its customer's key, decodes it once, folds it through every read model, and writes the rows
// of many events together with each model's checkpoint for that partition in one atomic batch.
// A crash therefore never applies an event twice or skips one: the checkpoint and the rows it
// covers are committed together, and folding resumes from the checkpoint.
//
// Each model keeps its own checkpoint per partition (under reserved keys of its namespace), so
// a model can join late — a new version starts at offset 0 — while the others skip the events
// they have folded already. Partitions are spread over worker threads; every row a model writes
// belongs to one partition (read_model.hpp), so workers never write the same key.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "domain/ids.hpp"
#include "domain/result.hpp"
#include "events/event_log.hpp"
#include "events/key_store.hpp"
#include "projections/read_model.hpp"
#include "projections/read_model_store.hpp"

namespace clientele::projections {

struct ProjectorOptions {
  int workers = 0;                           // worker threads; 0: one per core
  std::size_t batch_events = 2000;           // most events in one batch
  std::chrono::milliseconds batch_time{50};  // longest a batch stays open to more events
  std::chrono::milliseconds idle_wait{10};   // how long an idle worker waits on each partition
  // Called for every `customer.erased` folded, before its batch is committed (to drop the
  // customer's key from caches).
  std::function<void(const CustomerId&)> on_erased;
  // Called when an error stops a partition (an event that does not open or decode, a row that
  // does not parse), from the worker folding it.
  std::function<void(events::Partition, const Error&)> on_stopped;
};

// How far one partition is folded.
struct PartitionProgress {
  events::Partition partition;
  events::Offset checkpoint;  // the next offset to fold, for every model
  std::string error;          // why folding this partition stopped; empty while it runs
};

// The checkpoint of `ns` for `partition` as `snapshot` sees it: the next offset to fold (0 when
// the model has folded nothing of it).
Result<events::Offset> read_checkpoint(const Snapshot& snapshot, const Namespace& ns,
                                       events::Partition partition);
// The checkpoints of `ns` for partitions 0..partitions-1, in partition order (read_checkpoint).
Result<std::vector<events::Offset>> read_checkpoints(const Snapshot& snapshot, const Namespace& ns,
                                                     std::int32_t partitions);

// A read model and the namespace it is folded into.
struct Binding {
  const ReadModel* model;
  Namespace ns;
};

class Projector {
 public:
  // `log`, `keys`, `store` and the models must outlive the projector.
  Projector(events::EventReader& log, events::KeyStore& keys, ReadModelStore& store,
            std::vector<Binding> bindings, ProjectorOptions options = {});
  // Each model folded into its own namespace (ReadModel::ns()).
  Projector(events::EventReader& log, events::KeyStore& keys, ReadModelStore& store,
            const std::vector<const ReadModel*>& models, ProjectorOptions options = {});
  ~Projector();  // stops the workers
  Projector(const Projector&) = delete;
  Projector& operator=(const Projector&) = delete;

  // Makes the models' namespaces and starts the workers at the stored checkpoints.
  Result<void> start();
  // Stops the workers once their batches in progress are committed. Idempotent.
  void stop();
  // Whether the workers run (between start() and stop()).
  bool running() const;

  // Folds `model` into `ns` from now on (adding the model when it is not bound yet), from the
  // checkpoints `ns` holds. Only while not running.
  void bind(const ReadModel& model, const Namespace& ns);
  // The models and their namespaces. Thread-safe, also while bind() runs.
  std::vector<Binding> bindings() const;

  // Folds, in worker threads that end with the call, until every partition has passed the end
  // the log had when the call began. For rebuilds, verification and tests; not while started.
  // Returns the first partition's error, if any stopped.
  Result<void> catch_up();
  // Like catch_up(), up to `ends` (one offset per partition, exclusive) instead of the log's end:
  // no event at or past its partition's end is folded.
  Result<void> catch_up_to(const std::vector<events::Offset>& ends);

  // Waits until the event at `position` is folded into every model, up to `timeout`.
  // Returns whether it is (read-your-writes).
  bool wait_for(events::Position position, std::chrono::milliseconds timeout) const;

  std::vector<PartitionProgress> progress() const;
  // Events folded since the projector was made.
  std::uint64_t events_folded() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace clientele::projections
