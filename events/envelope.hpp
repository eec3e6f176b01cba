#pragma once
// The envelope every event travels in (DESIGN.md §2), and its JSON form:
//
//   {"id":"<uuid v7>","type":"order.placed","v":1,"stream":"order-<id>","seq":3,
//    "customerId":"CUST_1a2b3c4d","at":"2026-01-20T14:30:00.123Z",
//    "actor":{"id":"...","role":"Customer"},"correlationId":"...","causationId":"...",
//    "data":{...plain fields...},"personal":{...personal fields...}}
//
// `personal` holds the personal fields apart from `data`; it is null when they can no longer be
// read (the customer was erased), and the envelope then says "erased": true.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "domain/context.hpp"
#include "domain/ids.hpp"
#include "domain/result.hpp"
#include "domain/time.hpp"

namespace clientele::events {

struct Envelope {
  std::string id;              // UUIDv7, unique per event
  std::string type;            // stable wire name, "<aggregate>.<past-tense-verb>"
  int v = 1;                   // schema version of `type`
  std::string stream;          // "<aggregate>-<id>", e.g. "order-ORD-2026-000001"
  StreamVersion seq;           // 1-based position of the event in its stream
  CustomerId customer_id;      // the partition key: every event is about one customer
  Timestamp at;                // when the event was decided
  Actor actor;                 // who caused it
  std::string correlation_id;  // the request that started the chain
  std::string causation_id;    // the message that caused this one (command or event id)
  nlohmann::json data = nlohmann::json::object();      // plain fields
  nlohmann::json personal = nlohmann::json::object();  // personal fields; null once erased
  bool erased = false;  // true iff `personal` could not be read because its key is gone

  bool operator==(const Envelope&) const = default;
};

nlohmann::json to_json(const Envelope& envelope);
std::string serialize(const Envelope& envelope);

// Parses and checks the envelope's own fields (not `data`). errc::corrupt on anything malformed,
// naming the field; the message never repeats field values.
Result<Envelope> parse_envelope(std::string_view text);
Result<Envelope> envelope_from_json(const nlohmann::json& j);

}  // namespace clientele::events
