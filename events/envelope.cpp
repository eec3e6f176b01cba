#include "events/envelope.hpp"

#include <cstdint>
#include <limits>
#include <optional>

#include "events/crypto.hpp"
#include "events/json.hpp"

namespace clientele::events {
namespace {

Error corrupt(std::string field, std::string message) {
  return make_error(errc::corrupt, std::move(field), std::move(message));
}

// Returns the member `key` of `j` if it has type `kind`, else nullptr.
const nlohmann::json* member(const nlohmann::json& j, const char* key,
                             nlohmann::json::value_t kind) {
  const auto it = j.find(key);
  if (it == j.end() || it->type() != kind) return nullptr;
  return &*it;
}

// Returns the member `key` of `j` if it is an integer in [1, max], else nullopt. Parsed JSON
// text holds such numbers as unsigned, a json built in memory (to_json) as signed: both count.
std::optional<std::uint64_t> positive_integer(const nlohmann::json& j, const char* key,
                                              std::uint64_t max) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  if (!it->is_number_unsigned() && it->get<std::int64_t>() < 1) return std::nullopt;
  const auto value = it->get<std::uint64_t>();
  if (value < 1 || value > max) return std::nullopt;
  return value;
}

}  // namespace

nlohmann::json to_json(const Envelope& e) {
  nlohmann::json j{{"id", e.id},
                   {"type", e.type},
                   {"v", e.v},
                   {"stream", e.stream},
                   {"seq", e.seq.value},
                   {"customerId", e.customer_id},
                   {"at", e.at},
                   {"actor", {{"id", e.actor.id}, {"role", e.actor.role}}},
                   {"correlationId", e.correlation_id},
                   {"causationId", e.causation_id},
                   {"data", e.data}};
  if (e.sealed) {
    j["sealed"] = {{"kid", e.sealed->kid},
                   {"nonce", to_base64(e.sealed->nonce)},
                   {"ct", to_base64(e.sealed->ct)}};
  } else {
    j["personal"] = e.personal;
  }
  if (e.erased) j["erased"] = true;
  return j;
}

void append_json(JsonText& out, const Envelope& e, const EnvelopeMembers& members) {
  out.raw(R"({"actor":{"id":)").string(e.actor.id.str());
  out.raw(R"(,"role":)").string(to_string(e.actor.role));
  out.raw(R"(},"at":)").string(format_timestamp(e.at));
  out.raw(R"(,"causationId":)").string(e.causation_id);
  out.raw(R"(,"correlationId":)").string(e.correlation_id);
  out.raw(R"(,"customerId":)").string(e.customer_id.str());
  out.raw(R"(,"data":)").value(e.data);
  if (e.erased) out.raw(R"(,"erased":true)");
  out.raw(R"(,"id":)").string(e.id);
  if (members.personal && !e.sealed) out.raw(R"(,"personal":)").value(e.personal);
  if (!members.position.empty()) out.raw(R"(,"position":)").string(members.position);
  if (members.sealed && e.sealed) {
    out.raw(R"(,"sealed":{"ct":)").base64(e.sealed->ct);
    out.raw(R"(,"kid":)").string(e.sealed->kid);
    out.raw(R"(,"nonce":)").base64(e.sealed->nonce).raw("}");
  }
  out.raw(R"(,"seq":)").integer(e.seq.value);
  out.raw(R"(,"stream":)").string(e.stream);
  out.raw(R"(,"type":)").string(e.type);
  out.raw(R"(,"v":)").integer(e.v).raw("}");
}

std::string serialize(const Envelope& envelope) {
  JsonText out;
  out.text().reserve(512);
  append_json(out, envelope);
  return out.take();
}

Result<std::string> to_wire(const Envelope& envelope) {
  if (!envelope.sealed && envelope.personal.is_object() && !envelope.personal.empty()) {
    return make_error(errc::invalid, "personal",
                      "event " + envelope.type + " holds personal fields that are not sealed");
  }
  return serialize(envelope);
}

Result<Envelope> parse_envelope(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return corrupt("", "event is not valid JSON");
  return envelope_from_json(j);
}

Result<Envelope> envelope_from_json(const nlohmann::json& j) {
  using value_t = nlohmann::json::value_t;
  if (!j.is_object()) return corrupt("", "event is not a JSON object");
  Envelope e;
  const auto string_field = [&](const char* key, std::string& out) {
    const auto* m = member(j, key, value_t::string);
    if (m != nullptr) out = m->get<std::string>();
    return m != nullptr;
  };
  std::string customer, at;
  if (!string_field("id", e.id) || e.id.empty()) return corrupt("id", "missing or not a string");
  if (!string_field("type", e.type) || e.type.empty())
    return corrupt("type", "missing or not a string");
  if (!string_field("stream", e.stream)) return corrupt("stream", "missing or not a string");
  if (!string_field("customerId", customer))
    return corrupt("customerId", "missing or not a string");
  if (!string_field("at", at)) return corrupt("at", "missing or not a string");
  string_field("correlationId", e.correlation_id);
  string_field("causationId", e.causation_id);
  e.customer_id = CustomerId(customer);

  const auto v = positive_integer(j, "v", 1000);
  if (!v) return corrupt("v", "missing or not a positive version");
  e.v = static_cast<int>(*v);
  const auto seq = positive_integer(j, "seq", std::numeric_limits<std::uint64_t>::max());
  if (!seq) return corrupt("seq", "missing or not a positive integer");
  e.seq = StreamVersion{*seq};

  const auto when = parse_timestamp(at);
  if (!when) return corrupt("at", "not a UTC timestamp");
  e.at = *when;

  const auto* actor = member(j, "actor", value_t::object);
  if (actor == nullptr) return corrupt("actor", "missing or not an object");
  const auto* id = member(*actor, "id", value_t::string);
  const auto* role = member(*actor, "role", value_t::string);
  const auto parsed_role = role ? enum_from_string<Role>(role->get<std::string>()) : std::nullopt;
  if (id == nullptr || !parsed_role) return corrupt("actor", "needs an id and a known role");
  e.actor = Actor{UserId(id->get<std::string>()), *parsed_role};

  const auto* data = member(j, "data", value_t::object);
  if (data == nullptr) return corrupt("data", "missing or not an object");
  e.data = *data;
  const auto it = j.find("personal");
  if (it != j.end() && !it->is_object() && !it->is_null())
    return corrupt("personal", "not an object");
  e.personal = it == j.end() ? nlohmann::json(nullptr) : *it;
  if (const auto* sealed = member(j, "sealed", value_t::object)) {
    const auto* kid = member(*sealed, "kid", value_t::string);
    const auto* nonce = member(*sealed, "nonce", value_t::string);
    const auto* ct = member(*sealed, "ct", value_t::string);
    auto nonce_bytes = nonce ? from_base64(nonce->get<std::string>()) : std::nullopt;
    auto ct_bytes = ct ? from_base64(ct->get<std::string>()) : std::nullopt;
    if (kid == nullptr || !nonce_bytes || !ct_bytes)
      return corrupt("sealed", "needs a kid, a base64 nonce and a base64 ct");
    e.sealed = SealedBlock{kid->get<std::string>(), std::move(*nonce_bytes), std::move(*ct_bytes)};
    e.personal = nullptr;
  } else if (j.contains("sealed")) {
    return corrupt("sealed", "not an object");
  }
  const auto* erased = member(j, "erased", value_t::boolean);
  e.erased = erased != nullptr && erased->get<bool>();
  return e;
}

}  // namespace clientele::events
