#pragma once
// The command strands (DESIGN.md §4). Commands for one partition run one at a time, on that
// partition's strand, so decide-then-append needs no lock per aggregate and a stream's expected
// version always holds. Before a strand runs a command it has applied every event of its
// partition to the write-side store (write_model.hpp) — after a restart, and after anything that
// another writer appended — so it decides on the log as it is.
//
// A strand keeps the aggregates it loaded in a bounded cache; its own appends update them, events
// it catches up with from the log evict them.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "commands/write_model.hpp"
#include "domain/complaint.hpp"
#include "domain/context.hpp"
#include "domain/customer.hpp"
#include "domain/ids.hpp"
#include "domain/order.hpp"
#include "domain/result.hpp"
#include "events/crypto.hpp"
#include "events/event_log.hpp"
#include "events/key_store.hpp"

namespace clientele::commands {

struct CommandBusOptions {
  std::size_t max_queued = 1024;         // commands waiting per partition; more are refused
  std::size_t cached_aggregates = 4096;  // aggregates kept per partition
};

// An aggregate as the strand loaded it.
template <class State>
struct Loaded {
  State state;
  std::uint64_t version = 0;  // events in its stream (0: none yet)
};

// What one command did.
struct Outcome {
  std::vector<events::Position> positions;  // of the events appended; empty when none were
  std::uint64_t version = 0;                // the stream's version after the command
};

// What the strands did since the service started, for /metrics. Thread-safe.
struct CommandStats {
  std::atomic<std::uint64_t> decided{0};   // commands that appended events or needed none
  std::atomic<std::uint64_t> refused{0};   // commands the rules refused (nothing appended)
  std::atomic<std::uint64_t> failed{0};    // appends that failed or whose outcome is unknown
  std::atomic<std::uint64_t> appended{0};  // events appended
  std::atomic<std::uint64_t> erasures{0};  // customers erased
};

// The request a command belongs to, recorded in its events' envelopes.
struct Origin {
  std::string correlation_id;  // empty: each event its own
};

class Strand;

class CommandBus {
 public:
  using NewEventId = std::function<std::string(Timestamp)>;

  // `log`, `keys` and `store` must outlive the bus. `pepper` keys the write side's lookups
  // (the blind-index pepper, DESIGN.md §3). Starts one strand per partition of `log`.
  CommandBus(events::EventLog& log, events::KeyStore& keys, WriteModelStore& store,
             const events::SecretKey& pepper, NewEventId new_id, CommandBusOptions options = {});
  ~CommandBus();  // stop()
  CommandBus(const CommandBus&) = delete;
  CommandBus& operator=(const CommandBus&) = delete;

  // Runs `work(Strand&)`, which returns a Result<...>, on the strand of `customer`'s partition
  // once that strand has caught up with the log, and returns its result. The catch-up's error
  // instead when it fails; errc::unavailable when the partition's queue is full or the bus stopped.
  template <class Work>
  std::invoke_result_t<Work&, Strand&> run(const CustomerId& customer, Work work);

  // Refuses new work, finishes what is queued, and joins the strands. Idempotent.
  void stop();

  // The partition of `customer`.
  events::Partition partition_of(const CustomerId& customer) const;

  // Catches every partition up with the log (the service calls it before it answers commands).
  Result<void> catch_up();

  // The customer whose aggregate `stream` is (the customer its first event is about), as the
  // write model knows it; nullopt when the stream has no events.
  Result<std::optional<CustomerId>> owner_of(const std::string& stream);

  const events::SecretKey& pepper() const { return pepper_; }
  WriteModelStore& store() { return store_; }
  const CommandStats& stats() const;

  struct Shared;  // what the strands share

 private:
  // Called on the strand: with the strand, or with why it could not catch up.
  using Task = std::function<void(Strand*, const Error*)>;
  Result<void> submit(const CustomerId& customer, Task task);

  events::EventLog& log_;
  WriteModelStore& store_;
  events::SecretKey pepper_;
  std::unique_ptr<Shared> shared_;
  std::vector<std::unique_ptr<Strand>> strands_;  // one per partition
};

// One partition's command context. Used only on its own thread, inside CommandBus::run.
class Strand {
 public:
  Strand(events::Partition partition, CommandBus::Shared& shared, CommandBusOptions options);
  ~Strand();
  Strand(const Strand&) = delete;
  Strand& operator=(const Strand&) = delete;

  events::Partition partition() const { return partition_; }

  // The customer's state and version (an unknown customer: a default state, version 0).
  Result<Loaded<customer::State>> customer(const CustomerId& customer);

  // Decides `command` against the customer's current state and appends what it decides.
  // errc::conflict (field "If-Match") when `expected_version` is given and is not the stream's
  // version. Nothing is appended when the decision is no events.
  Result<Outcome> execute(const CustomerId& customer, const customer::Command& command,
                          const Context& ctx, std::optional<std::uint64_t> expected_version = {},
                          const Origin& origin = {});
  // Decides `commands` in order, each against the state the ones before it leave, and appends
  // all they decide in one append: all of them take effect or none (the first refusal is the
  // answer).
  Result<Outcome> execute(const CustomerId& customer, std::span<const customer::Command> commands,
                          const Context& ctx, std::optional<std::uint64_t> expected_version = {},
                          const Origin& origin = {});

  // The order's state and version (an unknown order: a default state, version 0).
  Result<Loaded<order::State>> order(const OrderId& order);

  // Decides `command` against the order's current state and appends what it decides to the
  // order's stream, its events keyed by (and about) `customer`; as execute() of a customer
  // command otherwise. The caller checks that the order is the customer's.
  Result<Outcome> execute(const CustomerId& customer, const OrderId& order,
                          const order::Command& command, const Context& ctx,
                          std::optional<std::uint64_t> expected_version = {},
                          const Origin& origin = {});

  // The complaint's state and version (an unknown complaint: a default state, version 0).
  Result<Loaded<complaint::State>> complaint(const ComplaintId& complaint);

  // As execute() of an order command, for a complaint's stream. The caller checks that the
  // complaint is the customer's.
  Result<Outcome> execute(const CustomerId& customer, const ComplaintId& complaint,
                          const complaint::Command& command, const Context& ctx,
                          std::optional<std::uint64_t> expected_version = {},
                          const Origin& origin = {});

  // Applies every event of the partition the store has not applied yet.
  Result<void> catch_up();

  // Threading (used by CommandBus).
  Result<void> post(std::function<void(Strand*, const Error*)> task);
  void stop();

  struct Cache;

 private:
  void loop();
  // The state and version of `stream`, an aggregate A (command_bus.cpp: CustomerAggregate,
  // OrderAggregate, ComplaintAggregate), from the cache or the store.
  template <class A>
  Result<Loaded<typename A::State>> load(const std::string& stream);
  // Decides `commands` against `stream`'s state and appends what they decide (execute()).
  template <class A>
  Result<Outcome> run_commands(const CustomerId& customer, const std::string& stream,
                               std::span<const typename A::Command> commands, const Context& ctx,
                               std::optional<std::uint64_t> expected_version, const Origin& origin);
  template <class A>
  Result<Outcome> append(const CustomerId& customer, const std::string& stream,
                         std::uint64_t version, const std::vector<typename A::Event>& decided,
                         const Context& ctx, const Origin& origin);

  events::Partition partition_;
  CommandBus::Shared& shared_;
  CommandBusOptions options_;
  std::unique_ptr<Cache> cache_;
  std::optional<events::Offset> applied_;  // the next offset to apply; unknown until read
  struct Queue;
  std::unique_ptr<Queue> queue_;
};

template <class Work>
std::invoke_result_t<Work&, Strand&> CommandBus::run(const CustomerId& customer, Work work) {
  using R = std::invoke_result_t<Work&, Strand&>;
  std::promise<R> done;
  auto answer = done.get_future();
  auto queued = submit(customer, [&](Strand* strand, const Error* failed) {
    try {
      done.set_value(failed != nullptr ? R(*failed) : work(*strand));
    } catch (...) {
      done.set_exception(std::current_exception());
    }
  });
  if (!queued) return R(queued.error());
  return answer.get();
}

}  // namespace clientele::commands
