#include "commands/command_bus.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_map>
#include <variant>

#include "commands/identity_lookups.hpp"
#include "events/codec.hpp"
#include "events/envelope.hpp"
#include "events/sealing.hpp"

namespace clientele::commands {

struct CommandBus::Shared {
  events::EventLog& log;
  events::KeyStore& keys;
  WriteModelStore& store;
  const events::SecretKey& pepper;
  NewEventId new_id;
  CommandStats stats{};
};

// ---- the aggregates a strand runs commands for ----------------------------------------------

// A decider's types and functions, taken from the signatures of its decide and evolve.
template <auto Decide, auto Evolve>
struct Decider;
template <class E, class C, class S,
          Result<std::vector<E>> (*Decide)(const C&, const S&, const Context&),
          S (*Evolve)(S, const E&)>
struct Decider<Decide, Evolve> {
  using State = S;
  using Command = C;
  using Event = E;
  static constexpr auto decide = Decide;
  static constexpr auto evolve = Evolve;
};

struct CustomerAggregate : Decider<&customer::decide, &customer::evolve> {
  static constexpr std::string_view kChanged = "the customer was changed meanwhile";
  // The customers `decided` erases.
  static std::uint64_t erasures(const std::vector<Event>& decided) {
    return static_cast<std::uint64_t>(std::ranges::count_if(
        decided, [](const auto& e) { return std::holds_alternative<customer::Erased>(e); }));
  }
};

struct OrderAggregate : Decider<&order::decide, &order::evolve> {
  static constexpr std::string_view kChanged = "the order was changed meanwhile";
  static std::uint64_t erasures(const std::vector<Event>&) { return 0; }
};

struct ComplaintAggregate : Decider<&complaint::decide, &complaint::evolve> {
  static constexpr std::string_view kChanged = "the complaint was changed meanwhile";
  static std::uint64_t erasures(const std::vector<Event>&) { return 0; }
};

// ---- the cache of loaded aggregates (least recently used goes first) ------------------------

struct Strand::Cache {
  using Entry =
      std::variant<Loaded<customer::State>, Loaded<order::State>, Loaded<complaint::State>>;

  explicit Cache(std::size_t capacity) : capacity(capacity) {}

  // The entry of `stream` if it holds a State, else nullptr.
  template <class State>
  Loaded<State>* find(const std::string& stream) {
    const auto it = index.find(stream);
    if (it == index.end()) return nullptr;
    order.splice(order.begin(), order, it->second);  // now the most recent
    return std::get_if<Loaded<State>>(&it->second->second);
  }
  void put(const std::string& stream, Entry loaded) {
    evict(stream);
    order.emplace_front(stream, std::move(loaded));
    index.emplace(stream, order.begin());
    if (order.size() > capacity) {
      index.erase(order.back().first);
      order.pop_back();
    }
  }
  void evict(const std::string& stream) {
    const auto it = index.find(stream);
    if (it == index.end()) return;
    order.erase(it->second);
    index.erase(it);
  }

  std::size_t capacity;
  std::list<std::pair<std::string, Entry>> order;
  std::unordered_map<std::string, decltype(order)::iterator> index;
};

// ---- the strand's thread --------------------------------------------------------------------

struct Strand::Queue {
  std::mutex mu;
  std::condition_variable wake;
  std::deque<std::function<void(Strand*, const Error*)>> tasks;
  bool stopping = false;
  std::thread thread;
};

Strand::Strand(events::Partition partition, CommandBus::Shared& shared, CommandBusOptions options)
    : partition_(partition),
      shared_(shared),
      options_(options),
      cache_(std::make_unique<Cache>(options.cached_aggregates)),
      queue_(std::make_unique<Queue>()) {
  queue_->thread = std::thread([this] { loop(); });
}

Strand::~Strand() {
  stop();
}

Result<void> Strand::post(std::function<void(Strand*, const Error*)> task) {
  {
    std::lock_guard lock(queue_->mu);
    if (queue_->stopping) return make_error(errc::unavailable, "", "the service is stopping");
    if (queue_->tasks.size() >= options_.max_queued) {
      return make_error(errc::unavailable, "", "too many commands are waiting; retry later");
    }
    queue_->tasks.push_back(std::move(task));
  }
  queue_->wake.notify_one();
  return success();
}

void Strand::stop() {
  {
    std::lock_guard lock(queue_->mu);
    queue_->stopping = true;
  }
  queue_->wake.notify_one();
  if (queue_->thread.joinable()) queue_->thread.join();
}

void Strand::loop() {
  for (;;) {
    std::function<void(Strand*, const Error*)> task;
    {
      std::unique_lock lock(queue_->mu);
      queue_->wake.wait(lock, [&] { return queue_->stopping || !queue_->tasks.empty(); });
      if (queue_->tasks.empty()) return;  // stopping, and everything queued is done
      task = std::move(queue_->tasks.front());
      queue_->tasks.pop_front();
    }
    // Anyone may have appended to the partition since the last command: decide on the log as it
    // is now, never on what this strand last saw.
    if (auto caught_up = catch_up(); !caught_up) {
      task(nullptr, &caught_up.error());
    } else {
      task(this, nullptr);
    }
  }
}

// ---- applying events to the store -----------------------------------------------------------

Result<void> Strand::catch_up() {
  auto& shared = shared_;
  if (!applied_) {
    auto applied = shared.store.applied(partition_);
    if (!applied) return applied.error();
    applied_ = *applied;
  }
  auto end = shared.log.end_offset(partition_);
  if (!end) return end.error();
  if (*end <= *applied_) return success();

  auto cursor = shared.log.open_cursor(partition_, *applied_);
  if (!cursor) return cursor.error();
  IdentityLookups lookups(shared.store, shared.pepper);
  while ((*cursor)->position() < *end) {
    auto records = (*cursor)->next(256, std::chrono::milliseconds(0));
    if (!records) return records.error();
    if (records->empty()) break;  // the log answered less than it said it holds: try next time
    WriteModelBatch batch;
    for (auto& record : *records) {
      auto envelope = events::parse_envelope(record.payload);
      if (!envelope) return envelope.error();
      cache_->evict(envelope->stream);
      batch.events.push_back({envelope->stream, envelope->seq.value, std::move(record.payload)});
      // The lookups need the personal fields (the email, the username) in the clear; those of an
      // erased customer are gone, and so are the customer's lookups.
      if (auto opened = events::open(*envelope, shared.keys); !opened) return opened.error();
      if (auto indexed = lookups.record(*envelope, partition_, batch); !indexed)
        return indexed.error();
    }
    batch.applied = events::Position{partition_, (*cursor)->position()};
    if (auto committed = shared.store.commit(batch); !committed) return committed.error();
    applied_ = (*cursor)->position();
  }
  return success();
}

// ---- loading and deciding -------------------------------------------------------------------

template <class A>
Result<Loaded<typename A::State>> Strand::load(const std::string& stream) {
  if (const auto* cached = cache_->find<typename A::State>(stream)) return *cached;
  auto wires = shared_.store.stream(stream);
  if (!wires) return wires.error();
  Loaded<typename A::State> loaded;
  for (const auto& wire : *wires) {
    auto envelope = events::parse_envelope(wire);
    if (!envelope) return envelope.error();
    if (auto opened = events::open(*envelope, shared_.keys); !opened) return opened.error();
    auto event = events::decode<typename A::Event>(*envelope);
    if (!event) return event.error();
    loaded.state = A::evolve(std::move(loaded.state), *event);
    ++loaded.version;
  }
  cache_->put(stream, loaded);
  return loaded;
}

Result<Loaded<customer::State>> Strand::customer(const CustomerId& customer) {
  return load<CustomerAggregate>(events::stream_name(customer));
}

Result<Loaded<order::State>> Strand::order(const OrderId& order) {
  return load<OrderAggregate>(events::stream_name(order));
}

Result<Loaded<complaint::State>> Strand::complaint(const ComplaintId& complaint) {
  return load<ComplaintAggregate>(events::stream_name(complaint));
}

Result<Outcome> Strand::execute(const CustomerId& customer, const customer::Command& command,
                                const Context& ctx, std::optional<std::uint64_t> expected_version,
                                const Origin& origin) {
  return execute(customer, std::span(&command, 1), ctx, expected_version, origin);
}

Result<Outcome> Strand::execute(const CustomerId& customer,
                                std::span<const customer::Command> commands, const Context& ctx,
                                std::optional<std::uint64_t> expected_version,
                                const Origin& origin) {
  return run_commands<CustomerAggregate>(customer, events::stream_name(customer), commands, ctx,
                                         expected_version, origin);
}

Result<Outcome> Strand::execute(const CustomerId& customer, const OrderId& order,
                                const order::Command& command, const Context& ctx,
                                std::optional<std::uint64_t> expected_version,
                                const Origin& origin) {
  return run_commands<OrderAggregate>(customer, events::stream_name(order), std::span(&command, 1),
                                      ctx, expected_version, origin);
}

Result<Outcome> Strand::execute(const CustomerId& customer, const ComplaintId& complaint,
                                const complaint::Command& command, const Context& ctx,
                                std::optional<std::uint64_t> expected_version,
                                const Origin& origin) {
  return run_commands<ComplaintAggregate>(customer, events::stream_name(complaint),
                                          std::span(&command, 1), ctx, expected_version, origin);
}

template <class A>
Result<Outcome> Strand::run_commands(const CustomerId& customer, const std::string& stream,
                                     std::span<const typename A::Command> commands,
                                     const Context& ctx,
                                     std::optional<std::uint64_t> expected_version,
                                     const Origin& origin) {
  auto loaded = load<A>(stream);
  if (!loaded) return loaded.error();
  if (expected_version && *expected_version != loaded->version) {
    return make_error(errc::conflict, "If-Match", std::string(A::kChanged));
  }
  auto& stats = shared_.stats;
  std::vector<typename A::Event> decided;
  auto state = loaded->state;
  for (const auto& command : commands) {
    auto events = A::decide(command, state, ctx);
    if (!events) {
      ++stats.refused;
      return events.error();
    }
    for (auto& event : *events) {
      state = A::evolve(std::move(state), event);
      decided.push_back(std::move(event));
    }
  }
  if (decided.empty()) {
    ++stats.decided;
    return Outcome{{}, loaded->version};
  }
  auto appended = append<A>(customer, stream, loaded->version, decided, ctx, origin);
  if (!appended) {
    ++stats.failed;
    return appended;
  }
  ++stats.decided;
  stats.appended += decided.size();
  stats.erasures += A::erasures(decided);
  return appended;
}

template <class A>
Result<Outcome> Strand::append(const CustomerId& customer, const std::string& stream,
                               std::uint64_t version, const std::vector<typename A::Event>& decided,
                               const Context& ctx, const Origin& origin) {
  auto& shared = shared_;
  std::vector<events::Envelope> envelopes;  // personal fields in the clear, for the lookups
  std::vector<events::EncodedEvent> encoded;
  for (std::size_t i = 0; i < decided.size(); ++i) {
    auto envelope =
        events::wrap(events::encode(decided[i]),
                     {shared.new_id(ctx.now), stream, StreamVersion{version + i + 1}, customer,
                      ctx.now, ctx.actor, origin.correlation_id, /*causation_id=*/""});
    auto sealed = envelope;
    if (auto r = events::seal(sealed, shared.keys); !r) return r.error();
    auto wire = events::to_wire(sealed);
    if (!wire) return wire.error();
    encoded.push_back({sealed.id, sealed.type, sealed.v, std::move(*wire)});
    envelopes.push_back(std::move(envelope));
  }
  auto positions = shared.log.append(customer.str(), encoded);
  if (!positions) {
    // The outcome may be unknown: forget what this strand believes, and read the log again
    // before the next command.
    cache_->evict(stream);
    applied_.reset();
    return positions.error();
  }

  Outcome outcome{*positions, version + decided.size()};
  if (applied_ != positions->front().offset) {
    // Someone else appended to the partition in between: apply everything from the log.
    cache_->evict(stream);
    if (auto r = catch_up(); !r) return r.error();
    return outcome;
  }
  WriteModelBatch batch;
  IdentityLookups lookups(shared.store, shared.pepper);
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    batch.events.push_back({stream, version + i + 1, std::move(encoded[i].payload)});
    if (auto r = lookups.record(envelopes[i], partition_, batch); !r) return r.error();
  }
  batch.applied = events::Position{partition_, {positions->back().offset.value + 1}};
  if (auto r = shared.store.commit(batch); !r) {
    cache_->evict(stream);
    applied_.reset();
    return outcome;  // the events are in the log; the next command catches up with them
  }
  applied_ = batch.applied->offset;
  if (auto* cached = cache_->find<typename A::State>(stream)) {
    for (const auto& event : decided) cached->state = A::evolve(std::move(cached->state), event);
    cached->version = outcome.version;
  }
  return outcome;
}

// ---- the bus --------------------------------------------------------------------------------

CommandBus::CommandBus(events::EventLog& log, events::KeyStore& keys, WriteModelStore& store,
                       const events::SecretKey& pepper, NewEventId new_id,
                       CommandBusOptions options)
    : log_(log), store_(store), pepper_(pepper.bytes()) {
  shared_ = std::make_unique<Shared>(log, keys, store, pepper_, std::move(new_id));
  for (std::int32_t p = 0; p < log.partition_count(); ++p) {
    strands_.push_back(std::make_unique<Strand>(events::Partition{p}, *shared_, options));
  }
}

CommandBus::~CommandBus() {
  stop();
}

void CommandBus::stop() {
  for (auto& strand : strands_) strand->stop();
}

const CommandStats& CommandBus::stats() const {
  return shared_->stats;
}

Result<std::optional<CustomerId>> CommandBus::owner_of(const std::string& stream) {
  auto wires = store_.stream(stream);
  if (!wires) return wires.error();
  if (wires->empty()) return std::optional<CustomerId>();
  auto first = events::parse_envelope(wires->front());
  if (!first) return first.error();
  return std::optional<CustomerId>(first->customer_id);
}

events::Partition CommandBus::partition_of(const CustomerId& customer) const {
  return log_.partition_for(customer.str());
}

Result<void> CommandBus::submit(const CustomerId& customer, Task task) {
  return strands_[static_cast<std::size_t>(partition_of(customer).value)]->post(std::move(task));
}

Result<void> CommandBus::catch_up() {
  std::vector<std::future<Result<void>>> pending;
  for (auto& strand : strands_) {
    auto done = std::make_shared<std::promise<Result<void>>>();
    pending.push_back(done->get_future());
    auto posted = strand->post([done](Strand*, const Error* failed) {
      done->set_value(failed != nullptr ? Result<void>(*failed) : success());
    });
    if (!posted) return posted.error();
  }
  for (auto& result : pending) {
    if (auto r = result.get(); !r) return r;
  }
  return success();
}

}  // namespace clientele::commands
