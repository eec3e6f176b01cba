#include "projections/projector.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "events/codec.hpp"
#include "events/sealing.hpp"

namespace clientele::projections {
namespace {

using Clock = std::chrono::steady_clock;
// How long a partition rests after the log or the store did not answer.
constexpr std::chrono::milliseconds kRetryPause{1000};
// How many empty reads of a second end catching up with a partition short of its end.
constexpr int kQuietRoundsAtEnd = 3;
using events::Offset;
using events::Partition;

// Keys starting with a zero byte are the runtime's (read_model.hpp).
std::string checkpoint_key(Partition partition) {
  std::string key("\0checkpoint/", 12);
  for (int shift = 24; shift >= 0; shift -= 8)
    key += static_cast<char>((static_cast<std::uint32_t>(partition.value) >> shift) & 0xff);
  return key;
}

Result<Offset> parse_offset(const Namespace& ns, std::string_view text) {
  std::int64_t value = -1;
  const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (err != std::errc() || end != text.data() + text.size() || value < 0) {
    return make_error(errc::corrupt, "", "the checkpoint of " + ns.str() + " is not an offset");
  }
  return Offset{value};
}

// The event of `record`, opened and decoded.
struct Opened {
  events::Envelope envelope;
  DomainEvent event;
};

template <class E>
Result<DomainEvent> decode_as(const events::Envelope& envelope) {
  auto event = events::decode<E>(envelope);
  if (!event) return event.error();
  return DomainEvent(std::move(*event));
}

Result<Opened> open_record(const events::Record& record, events::KeyStore& keys) {
  auto envelope = events::parse_envelope(record.payload);
  if (!envelope) return envelope.error();
  if (auto opened = events::open(*envelope, keys); !opened) return opened.error();
  const auto* type = events::find_event_type(envelope->type);
  if (type == nullptr) {
    return make_error(errc::corrupt, "type",
                      "event " + envelope->id + " has an unknown type " + envelope->type);
  }
  Result<DomainEvent> event = [&] {
    switch (type->aggregate) {
      case events::Aggregate::Customer:
        return decode_as<customer::Event>(*envelope);
      case events::Aggregate::Order:
        return decode_as<order::Event>(*envelope);
      case events::Aggregate::Complaint:
        break;
    }
    return decode_as<complaint::Event>(*envelope);
  }();
  if (!event) return event.error();
  return Opened{std::move(*envelope), std::move(*event)};
}

// Each model bound to its own namespace (its name and version, first build).
std::vector<Binding> bind_to_own(const std::vector<const ReadModel*>& models) {
  std::vector<Binding> out;
  for (const auto* model : models) out.push_back(Binding{model, model->ns()});
  return out;
}

}  // namespace

Result<Offset> read_checkpoint(const Snapshot& snapshot, const Namespace& ns, Partition partition) {
  auto stored = snapshot.get(ns, checkpoint_key(partition));
  if (!stored) return stored.error();
  if (!*stored) return Offset{0};
  return parse_offset(ns, **stored);
}

Result<std::vector<Offset>> read_checkpoints(const Snapshot& snapshot, const Namespace& ns,
                                             std::int32_t partitions) {
  std::vector<Offset> out;
  for (std::int32_t p = 0; p < partitions; ++p) {
    auto checkpoint = read_checkpoint(snapshot, ns, Partition{p});
    if (!checkpoint) return checkpoint.error();
    out.push_back(*checkpoint);
  }
  return out;
}

// One partition as a worker folds it.
struct PartitionState {
  Partition partition;
  std::unique_ptr<events::PartitionCursor> cursor;  // at `next`
  std::vector<Offset> checkpoints;                  // each binding's, in the order of `bound`
  Offset next;                                      // the next offset to read
  bool stopped = false;                             // an error stopped it
};

struct Projector::Impl {
  Impl(events::EventReader& l, events::KeyStore& k, ReadModelStore& s, std::vector<Binding> b,
       ProjectorOptions o)
      : log(l), keys(k), store(s), bound(std::move(b)), options(std::move(o)) {
    if (options.workers <= 0)
      options.workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }

  // Reads the models' checkpoints and opens a cursor per partition at the lowest of them.
  Result<void> open_partitions() {
    for (const auto& binding : bound) {
      if (auto made = store.create(binding.ns); !made) return made.error();
    }
    const auto snapshot = store.snapshot();
    std::vector<std::unique_ptr<PartitionState>> opened;
    for (std::int32_t p = 0; p < log.partition_count(); ++p) {
      auto state = std::make_unique<PartitionState>();
      state->partition = Partition{p};
      Offset lowest{INT64_MAX};
      for (const auto& binding : bound) {
        auto checkpoint = read_checkpoint(*snapshot, binding.ns, state->partition);
        if (!checkpoint) return checkpoint.error();
        state->checkpoints.push_back(*checkpoint);
        lowest = std::min(lowest, *checkpoint);
      }
      if (bound.empty()) {  // nothing to fold: start at the end
        auto end = log.end_offset(state->partition);
        if (!end) return end.error();
        lowest = *end;
      }
      state->next = lowest;
      auto cursor = log.open_cursor(state->partition, state->next);
      if (!cursor) return cursor.error();
      state->cursor = std::move(*cursor);
      opened.push_back(std::move(state));
    }
    std::lock_guard lock(mu);
    partitions = std::move(opened);
    errors.assign(partitions.size(), std::string());
    folded_to.clear();
    for (const auto& state : partitions) folded_to.push_back(state->next);
    return success();
  }

  // Folds what `state`'s partition holds before `end` into one batch, waiting up to `wait` for
  // the first event. Returns the number of events folded.
  Result<std::size_t> fold_batch(PartitionState& state, std::chrono::milliseconds wait,
                                 Offset end = Offset{INT64_MAX}) {
    auto batch = store.batch();
    std::vector<Rows> rows;
    for (const auto& binding : bound) rows.emplace_back(*batch, binding.ns);
    const auto deadline = Clock::now() + options.batch_time;
    std::size_t count = 0;
    Offset next = state.next;
    while (count < options.batch_events && next < end) {
      const auto room = std::min<std::int64_t>(
          static_cast<std::int64_t>(options.batch_events - count), end.value - next.value);
      auto records = state.cursor->next(static_cast<std::size_t>(room),
                                        count == 0 ? wait : std::chrono::milliseconds{0});
      if (!records) return records.error();
      if (records->empty()) break;
      for (const auto& record : *records) {
        if (auto folded = fold(record, state, rows); !folded) return folded.error();
        next = Offset{record.position.offset.value + 1};
      }
      count += records->size();
      if (Clock::now() >= deadline) break;
    }
    if (count == 0) return count;
    for (auto& model_rows : rows) model_rows.flush();
    for (std::size_t m = 0; m < bound.size(); ++m) {
      if (state.checkpoints[m] < next)
        batch->put(bound[m].ns, checkpoint_key(state.partition), std::to_string(next.value));
    }
    if (auto committed = store.commit(*batch); !committed) return committed.error();
    for (auto& checkpoint : state.checkpoints) checkpoint = std::max(checkpoint, next);
    state.next = next;
    folded += count;
    publish(state);
    return count;
  }

  Result<void> fold(const events::Record& record, const PartitionState& state,
                    std::vector<Rows>& rows) {
    auto opened = open_record(record, keys);
    if (!opened) return opened.error();
    const Folded event{opened->envelope, opened->event, record.position};
    for (std::size_t m = 0; m < bound.size(); ++m) {
      if (record.position.offset < state.checkpoints[m]) continue;  // folded already
      if (auto evolved = bound[m].model->evolve(event, rows[m]); !evolved) return evolved.error();
    }
    if (options.on_erased && opened->envelope.type == "customer.erased")
      options.on_erased(opened->envelope.customer_id);
    return success();
  }

  // Makes `state`'s progress visible to progress() and wait_for().
  void publish(const PartitionState& state) {
    {
      std::lock_guard lock(mu);
      folded_to[static_cast<std::size_t>(state.partition.value)] = state.next;
    }
    folded_cv.notify_all();
  }

  void stop_partition(PartitionState& state, const Error& error) {
    state.stopped = true;
    {
      std::lock_guard lock(mu);
      errors[static_cast<std::size_t>(state.partition.value)] = error.message;
    }
    folded_cv.notify_all();
    if (options.on_stopped) options.on_stopped(state.partition, error);
  }

  // After the log or the store did not answer: reads again from the last commit, after a pause.
  void retry_later(PartitionState& state, const Error& error) {
    {
      std::lock_guard lock(mu);
      errors[static_cast<std::size_t>(state.partition.value)] = error.message;
    }
    std::this_thread::sleep_for(kRetryPause);
    auto cursor = log.open_cursor(state.partition, state.next);
    if (!cursor) return;
    state.cursor = std::move(*cursor);
    std::lock_guard lock(mu);
    errors[static_cast<std::size_t>(state.partition.value)].clear();
  }

  // The partitions worker `w` folds.
  std::vector<PartitionState*> share_of(int w) {
    std::vector<PartitionState*> share;
    for (std::size_t p = static_cast<std::size_t>(w); p < partitions.size();
         p += static_cast<std::size_t>(options.workers)) {
      share.push_back(partitions[p].get());
    }
    return share;
  }

  // Folds the worker's partitions until told to stop.
  void run(int w) {
    const auto share = share_of(w);
    bool idle = false;
    while (!stopping.load()) {
      bool any = false;
      for (auto* state : share) {
        if (state->stopped || stopping.load()) continue;
        auto count = fold_batch(*state, idle ? options.idle_wait : std::chrono::milliseconds{0});
        if (!count && count.error().code == errc::unavailable) {
          retry_later(*state, count.error());
        } else if (!count) {
          stop_partition(*state, count.error());
        } else if (*count > 0) {
          any = true;
        }
      }
      idle = !any;
      if (idle && std::all_of(share.begin(), share.end(), [](auto* s) { return s->stopped; })) {
        std::this_thread::sleep_for(options.idle_wait);
      }
    }
  }

  // Folds the worker's partitions up to `ends`.
  Result<void> run_to(int w, const std::vector<Offset>& ends) {
    for (auto* state : share_of(w)) {
      const auto end = ends[static_cast<std::size_t>(state->partition.value)];
      // The last records before `end` may be parts of a command that never completed (a torn
      // Kafka command): they are never returned, so a partition that stays quiet is done.
      int quiet = 0;
      while (state->next < end && quiet < kQuietRoundsAtEnd) {
        auto count = fold_batch(*state, std::chrono::milliseconds{1000}, end);
        if (!count) {
          stop_partition(*state, count.error());
          return count.error();
        }
        quiet = *count == 0 ? quiet + 1 : 0;
      }
    }
    return success();
  }

  events::EventReader& log;
  events::KeyStore& keys;
  ReadModelStore& store;
  // The models and the namespaces they are folded into. Changed by bind() only while no worker
  // runs (the workers read it unlocked); bound_mu orders bind() with bindings() from other threads.
  std::vector<Binding> bound;
  mutable std::mutex bound_mu;
  ProjectorOptions options;

  std::vector<std::unique_ptr<PartitionState>> partitions;  // by partition; the workers' own
  std::vector<std::thread> workers;                         // running while started
  std::atomic<bool> stopping{false};                        // asks the workers to return
  std::atomic<std::uint64_t> folded{0};                     // events folded in all

  mutable std::mutex mu;                      // guards the two members below
  std::vector<Offset> folded_to;              // per partition: next offset to fold
  std::vector<std::string> errors;            // per partition: why it stopped
  mutable std::condition_variable folded_cv;  // notified on progress and on errors
};

Projector::Projector(events::EventReader& log, events::KeyStore& keys, ReadModelStore& store,
                     std::vector<Binding> bindings, ProjectorOptions options)
    : impl_(std::make_unique<Impl>(log, keys, store, std::move(bindings), std::move(options))) {}

Projector::Projector(events::EventReader& log, events::KeyStore& keys, ReadModelStore& store,
                     const std::vector<const ReadModel*>& models, ProjectorOptions options)
    : Projector(log, keys, store, bind_to_own(models), std::move(options)) {}

bool Projector::running() const {
  return !impl_->workers.empty();
}

void Projector::bind(const ReadModel& model, const Namespace& ns) {
  std::lock_guard lock(impl_->bound_mu);
  auto& bound = impl_->bound;
  const auto it =
      std::find_if(bound.begin(), bound.end(), [&](const Binding& b) { return b.model == &model; });
  if (it == bound.end()) {
    bound.push_back(Binding{&model, ns});
  } else {
    it->ns = ns;
  }
}

std::vector<Binding> Projector::bindings() const {
  std::lock_guard lock(impl_->bound_mu);
  return impl_->bound;
}

Projector::~Projector() {
  stop();
}

Result<void> Projector::start() {
  if (!impl_->workers.empty()) return success();
  if (auto opened = impl_->open_partitions(); !opened) return opened.error();
  impl_->stopping = false;
  for (int w = 0; w < impl_->options.workers; ++w)
    impl_->workers.emplace_back([this, w] { impl_->run(w); });
  return success();
}

void Projector::stop() {
  impl_->stopping = true;
  for (auto& worker : impl_->workers) worker.join();
  impl_->workers.clear();
}

Result<void> Projector::catch_up() {
  std::vector<Offset> ends;
  for (std::int32_t p = 0; p < impl_->log.partition_count(); ++p) {
    auto end = impl_->log.end_offset(Partition{p});
    if (!end) return end.error();
    ends.push_back(*end);
  }
  return catch_up_to(ends);
}

Result<void> Projector::catch_up_to(const std::vector<events::Offset>& ends) {
  if (ends.size() != static_cast<std::size_t>(impl_->log.partition_count()))
    return make_error(errc::invalid, "ends", "one end offset per partition is needed");
  if (auto opened = impl_->open_partitions(); !opened) return opened.error();
  std::vector<Result<void>> results(static_cast<std::size_t>(impl_->options.workers));
  std::vector<std::thread> threads;
  for (int w = 0; w < impl_->options.workers; ++w) {
    threads.emplace_back([this, w, &ends, &results] {
      results[static_cast<std::size_t>(w)] = impl_->run_to(w, ends);
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) {
    if (!result) return result.error();
  }
  return success();
}

bool Projector::wait_for(events::Position position, std::chrono::milliseconds timeout) const {
  const auto p = static_cast<std::size_t>(position.partition.value);
  std::unique_lock lock(impl_->mu);
  return impl_->folded_cv.wait_for(lock, timeout, [&] {
    return p < impl_->folded_to.size() &&
           (impl_->folded_to[p] > position.offset || !impl_->errors[p].empty());
  }) && impl_->errors[p].empty();
}

std::vector<PartitionProgress> Projector::progress() const {
  std::lock_guard lock(impl_->mu);
  std::vector<PartitionProgress> out;
  for (std::size_t p = 0; p < impl_->folded_to.size(); ++p) {
    out.push_back(PartitionProgress{Partition{static_cast<std::int32_t>(p)}, impl_->folded_to[p],
                                    impl_->errors[p]});
  }
  return out;
}

std::uint64_t Projector::events_folded() const {
  return impl_->folded.load();
}

}  // namespace clientele::projections
