#pragma once
// The event codec: domain events <-> envelope bodies (wire name, version, `data`, `personal`).
// The field layout of every event lives in schemas.hpp.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "domain/complaint.hpp"
#include "domain/customer.hpp"
#include "domain/order.hpp"
#include "domain/result.hpp"
#include "events/envelope.hpp"
#include "events/upcast.hpp"

namespace clientele::events {

// One event's body: what goes into an envelope besides the envelope's own fields.
struct Body {
  std::string type;                                    // wire name
  int version = 1;                                     // current schema version of `type`
  nlohmann::json data = nlohmann::json::object();      // plain fields
  nlohmann::json personal = nlohmann::json::object();  // personal fields, kept apart
};

// Where an event comes from: the envelope's own fields.
struct Origin {
  std::string id;              // a fresh UUIDv7
  std::string stream;          // stream_name(...) of the aggregate
  StreamVersion seq;           // the event's version in that stream
  CustomerId customer_id;      // the partition key
  Timestamp at;                // the decision time
  Actor actor;                 // who caused it
  std::string correlation_id;  // empty: the event's own id
  std::string causation_id;    // empty: the event's own id
};

// The envelope of `body` from `origin`, personal fields still in the clear (seal before writing).
Envelope wrap(Body body, Origin origin);

Body encode(const customer::Event& event);
Body encode(const order::Event& event);
Body encode(const complaint::Event& event);

// Decodes an envelope's body into the event of aggregate E (customer::Event, order::Event or
// complaint::Event), first upcasting an older version through `upcasters`.
// When the envelope is erased, personal fields keep their default (empty) values.
// errc::corrupt if the type is not one of E's, its version is unknown, or a field is missing or
// malformed; the message names the type and field, never a value.
template <class E>
Result<E> decode(const Envelope& envelope, const UpcasterRegistry& upcasters = builtin_upcasters());

// Which aggregate's events a wire name belongs to.
enum class Aggregate { Customer, Order, Complaint };

// What the catalog says of one event type.
struct EventType {
  Aggregate aggregate;
  std::string_view type;                     // wire name
  int version;                               // current version
  std::vector<std::string> personal_fields;  // dotted paths, e.g. "deliveryAddress.city"
};

// Every event type, in catalog order.
const std::vector<EventType>& catalog();
// The catalog entry of `type`, or nullptr.
const EventType* find_event_type(std::string_view type);

// Stream names: "customer-<id>", "order-<id>", "complaint-<id>".
std::string stream_name(const CustomerId& id);
std::string stream_name(const OrderId& id);
std::string stream_name(const ComplaintId& id);

}  // namespace clientele::events
