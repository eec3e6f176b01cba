#pragma once
// The envelope every event travels in (DESIGN.md §2), and its JSON form:
//
//   {"id":"<uuid v7>","type":"order.placed","v":1,"stream":"order-<id>","seq":3,
//    "customerId":"CUST_1a2b3c4d","at":"2026-01-20T14:30:00.123Z",
//    "actor":{"id":"...","role":"Customer"},"correlationId":"...","causationId":"...",
//    "data":{...plain fields...},"sealed":{"kid":"...","nonce":"<b64>","ct":"<b64>"}}
//
// In memory, `personal` holds the personal fields in the clear, apart from `data`. In the log
// they are only ever sealed (sealing.hpp): `sealed` replaces `personal`. After opening, a block
// whose key was destroyed leaves `personal` null and the envelope says "erased": true.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "domain/context.hpp"
#include "domain/ids.hpp"
#include "domain/result.hpp"
#include "domain/time.hpp"
#include "events/json_text.hpp"

namespace clientele::events {

// The personal fields of one event, sealed with the customer's key (raw bytes in memory,
// base64 on the wire).
struct SealedBlock {
  std::string kid;    // id of the customer's key that sealed it
  std::string nonce;  // 24 random bytes
  std::string ct;     // ciphertext and tag

  bool operator==(const SealedBlock&) const = default;
};

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
  nlohmann::json personal = nlohmann::json::object();  // personal fields; null when sealed/erased
  std::optional<SealedBlock> sealed;  // the sealed personal fields, as read from or for the log
  bool erased = false;  // true iff `personal` could not be read because its key is gone

  bool operator==(const Envelope&) const = default;
};

// The envelope as JSON: `sealed` when present, else `personal` (in the clear, for display).
nlohmann::json to_json(const Envelope& envelope);
// The text of to_json(envelope), written without building it.
std::string serialize(const Envelope& envelope);

// Which of the optional members the JSON text of an envelope carries.
struct EnvelopeMembers {
  bool personal = true;       // "personal", when the envelope is not sealed
  bool sealed = true;         // "sealed", when it is
  std::string_view position;  // "position" with this text, unless empty (the replay's)
};
// Appends the JSON text of `envelope`, its members in sorted order as nlohmann::json::dump writes
// them; with the default members, the text of to_json(envelope).
void append_json(JsonText& out, const Envelope& envelope, const EnvelopeMembers& members = {});

// The envelope as the log stores it. errc::invalid when it holds unsealed personal fields:
// personal data never reaches the log in the clear.
Result<std::string> to_wire(const Envelope& envelope);

// Parses and checks the envelope's own fields (not `data`). errc::corrupt on anything malformed,
// naming the field; the message never repeats field values.
Result<Envelope> parse_envelope(std::string_view text);
Result<Envelope> envelope_from_json(const nlohmann::json& j);

}  // namespace clientele::events
