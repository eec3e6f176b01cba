#include "commands/erasure.hpp"

#include <algorithm>

#include "commands/history.hpp"
#include "domain/customer.hpp"
#include "events/codec.hpp"
#include "events/json.hpp"
#include "events/sealing.hpp"

namespace clientele::commands {
namespace {

constexpr std::string_view kErasedType = "customer.erased";

// The customer's aggregate state from its own stream, read without personal fields (erasure
// looks only at whether the customer exists and was erased).
Result<customer::State> customer_state(const std::vector<StoredEvent>& history,
                                       const std::string& stream, std::uint64_t& version) {
  customer::State state;
  version = 0;
  for (const auto& stored : history) {
    if (stored.envelope.stream != stream) continue;
    auto event = events::decode<customer::Event>(without_personal_fields(stored.envelope));
    if (!event) return event.error();
    state = customer::evolve(std::move(state), *event);
    ++version;
  }
  return state;
}

const StoredEvent* find_erased(const std::vector<StoredEvent>& history) {
  const auto it = std::find_if(history.begin(), history.end(),
                               [](const StoredEvent& e) { return e.envelope.type == kErasedType; });
  return it == history.end() ? nullptr : &*it;
}

std::size_t count_sealed(const std::vector<StoredEvent>& history) {
  return static_cast<std::size_t>(
      std::count_if(history.begin(), history.end(),
                    [](const StoredEvent& e) { return e.envelope.sealed.has_value(); }));
}

ErasureReceipt receipt_from(const StoredEvent& erased, const CustomerId& customer) {
  ErasureReceipt receipt;
  receipt.customer_id = customer;
  receipt.erased_at = erased.envelope.at;
  receipt.position = erased.position;
  receipt.reason_code = erased.envelope.data.value("reasonCode", "");
  receipt.legal_basis = erased.envelope.data.value("legalBasis", "");
  receipt.requested_by = erased.envelope.data.value("requestedBy", "");
  return receipt;
}

}  // namespace

nlohmann::json to_json(const ErasureReceipt& r) {
  return {{"customerId", r.customer_id},
          {"erasedAt", r.erased_at},
          {"position", events::to_string(r.position)},
          {"keyDestroyed", r.key_destroyed},
          {"sealedEventsUnreadable", r.sealed_events_unreadable},
          {"reasonCode", r.reason_code},
          {"legalBasis", r.legal_basis},
          {"requestedBy", r.requested_by},
          {"alreadyErased", r.already_erased}};
}

Result<ErasureReceipt> receipt_from_json(const nlohmann::json& json) {
  try {
    ErasureReceipt r;
    r.customer_id = json.at("customerId").get<CustomerId>();
    r.erased_at = json.at("erasedAt").get<Timestamp>();
    const auto position = events::parse_position(json.at("position").get<std::string>());
    if (!position) return make_error(errc::corrupt, "position", "is not a log position");
    r.position = *position;
    r.key_destroyed = json.at("keyDestroyed").get<bool>();
    r.sealed_events_unreadable = json.at("sealedEventsUnreadable").get<std::size_t>();
    r.reason_code = json.at("reasonCode").get<std::string>();
    r.legal_basis = json.at("legalBasis").get<std::string>();
    r.requested_by = json.at("requestedBy").get<std::string>();
    r.already_erased = json.at("alreadyErased").get<bool>();
    return r;
  } catch (const nlohmann::json::exception&) {
    return make_error(errc::corrupt, "", "an erasure receipt does not read");
  }
}

nlohmann::json to_json(const ErasureCheck& c) {
  return {{"customerId", c.customer_id},
          {"passed", c.passed()},
          {"erasedEventFound", c.erased_event_found},
          {"keyDestroyed", c.key_destroyed},
          {"sealedEvents", c.sealed_events},
          {"stillReadable", c.still_readable}};
}

ErasureService::ErasureService(events::EventLog& log, events::KeyStore& keys, Clock clock,
                               NewEventId new_id, std::vector<Forget> forget, Record record)
    : log_(log),
      keys_(keys),
      clock_(std::move(clock)),
      new_id_(std::move(new_id)),
      forget_(std::move(forget)),
      record_(std::move(record)) {}

Result<StoredEvent> ErasureService::append(const ErasureRequest& request,
                                           const customer::Event& decided, std::uint64_t version,
                                           const Context& ctx) {
  const auto partition = log_.partition_for(request.customer_id.str());
  if (record_) {
    const auto& erase = std::get<customer::Erased>(decided);
    if (auto recorded =
            record_(request.customer_id, {erase.reason_code, erase.legal_basis, erase.requested_by},
                    ctx.actor);
        !recorded) {
      return recorded.error();
    }
    // Where the strand put it (or found it, when another erasure came first).
    auto history = customer_events(log_, partition, request.customer_id);
    if (!history) return history.error();
    const auto* erased = find_erased(*history);
    if (erased == nullptr)
      return make_error(errc::corrupt, "", "customer.erased is not in the log");
    return *erased;
  }
  const auto envelope = events::wrap(
      events::encode(decided),
      {new_id_(ctx.now), events::stream_name(request.customer_id), StreamVersion{version + 1},
       request.customer_id, ctx.now, ctx.actor, /*correlation_id=*/"", /*causation_id=*/""});
  auto wire = events::to_wire(envelope);
  if (!wire) return wire.error();
  const events::EncodedEvent encoded{envelope.id, envelope.type, envelope.v, std::move(*wire)};
  auto positions = log_.append(request.customer_id.str(), std::span(&encoded, 1));
  if (!positions) return positions.error();
  return StoredEvent{positions->front(), envelope};
}

Result<ErasureReceipt> ErasureService::erase(const ErasureRequest& request, const Actor& actor) {
  if (request.customer_id.empty()) return make_error(errc::invalid, "customerId", "is required");
  const auto partition = log_.partition_for(request.customer_id.str());
  auto history = customer_events(log_, partition, request.customer_id);
  if (!history) return history.error();
  const auto stream = events::stream_name(request.customer_id);
  std::uint64_t version = 0;
  auto state = customer_state(*history, stream, version);
  if (!state) return state.error();

  const Context ctx{clock_(), actor};
  auto decided = customer::decide(
      customer::Erase{request.reason_code, request.legal_basis, request.requested_by}, *state, ctx);
  if (!decided) return decided.error();

  ErasureReceipt receipt;
  if (decided->empty()) {
    const auto* erased = find_erased(*history);
    if (erased == nullptr)
      return make_error(errc::corrupt, "", "erased customer without customer.erased");
    receipt = receipt_from(*erased, request.customer_id);
    receipt.already_erased = true;
  } else {
    auto erased = append(request, decided->front(), version, ctx);
    if (!erased) return erased.error();
    receipt = receipt_from(*erased, request.customer_id);
  }
  if (auto destroyed = keys_.destroy(request.customer_id); !destroyed) return destroyed.error();
  auto gone = keys_.is_destroyed(request.customer_id);
  if (!gone) return gone.error();
  receipt.key_destroyed = *gone;
  for (const auto& forget : forget_) {
    if (auto forgotten = forget(request.customer_id); !forgotten) return forgotten.error();
  }
  receipt.sealed_events_unreadable = count_sealed(*history);
  return receipt;
}

Result<ErasureCheck> ErasureService::verify(const CustomerId& customer) {
  auto history = customer_events(log_, log_.partition_for(customer.str()), customer);
  if (!history) return history.error();
  ErasureCheck check;
  check.customer_id = customer;
  check.erased_event_found = find_erased(*history) != nullptr;
  auto destroyed = keys_.is_destroyed(customer);
  if (!destroyed) return destroyed.error();
  check.key_destroyed = *destroyed;
  for (auto& stored : *history) {
    if (!stored.envelope.sealed) continue;
    ++check.sealed_events;
    // A block that opens is readable; one that comes back erased, or does not open at all, is not.
    if (events::open(stored.envelope, keys_).ok() && !stored.envelope.erased)
      ++check.still_readable;
  }
  return check;
}

}  // namespace clientele::commands
