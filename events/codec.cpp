#include "events/codec.hpp"

#include <utility>
#include <variant>

#include "events/schemas.hpp"

namespace clientele::events {
namespace {

template <class Variant, class F>
void for_each_alternative(F&& f) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (f.template operator()<std::variant_alternative_t<I, Variant>>(), ...);
  }
  (std::make_index_sequence<std::variant_size_v<Variant>>{});
}

template <class Variant>
Body encode_variant(const Variant& event) {
  return std::visit(
      [](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        Body body{std::string(Schema<T>::type), Schema<T>::version, nlohmann::json::object(),
                  nlohmann::json::object()};
        split(e, body.data, body.personal);
        return body;
      },
      event);
}

template <class Variant>
Result<Variant> decode_variant(const Envelope& envelope, const UpcasterRegistry& upcasters) {
  Result<Variant> out = make_error(errc::corrupt, "type", "unknown event type " + envelope.type);
  for_each_alternative<Variant>([&]<class T>() {
    if (Schema<T>::type != envelope.type) return;
    nlohmann::json data = envelope.data;
    nlohmann::json personal = envelope.personal;
    if (envelope.erased) {
      personal = nullptr;
    } else if (personal.is_null()) {
      personal = nlohmann::json::object();  // only an erased envelope may lack personal fields
    }
    T event{};
    try {  // upcasters, too, throw on a malformed body
      if (auto r = upcasters.upcast(envelope.type, envelope.v, Schema<T>::version, data, personal);
          !r) {
        out = r.error();
        return;
      }
      join(event, data, personal.is_object() ? &personal : nullptr);
      out = Variant{std::move(event)};
    } catch (const nlohmann::json::exception&) {
      out = make_error(errc::corrupt, "data",
                       "event " + envelope.type + " has a missing or malformed field");
    }
  });
  return out;
}

// Dotted paths of the personal fields of T, under `prefix`.
template <class T>
void personal_paths(const std::string& prefix, std::vector<std::string>& out) {
  std::apply(
      [&](const auto&... f) {
        (
            [&] {
              using M = std::remove_cvref_t<decltype(std::declval<T>().*(f.member))>;
              const std::string path = prefix + std::string(f.name);
              if constexpr (is_personal_field<decltype(f)>) {
                out.push_back(path);
              } else if constexpr (HasSchema<M>) {
                personal_paths<M>(path + ".", out);
              } else if constexpr (OptionalValue<M>::value &&
                                   HasSchema<typename OptionalValue<M>::type>) {
                personal_paths<typename OptionalValue<M>::type>(path + ".", out);
              }
            }(),
            ...);
      },
      Schema<T>::fields);
}

template <class Variant>
void add_to_catalog(Aggregate aggregate, std::vector<EventType>& out) {
  for_each_alternative<Variant>([&]<class T>() {
    EventType entry{aggregate, Schema<T>::type, Schema<T>::version, {}};
    personal_paths<T>("", entry.personal_fields);
    out.push_back(std::move(entry));
  });
}

std::vector<EventType> make_catalog() {
  std::vector<EventType> out;
  add_to_catalog<customer::Event>(Aggregate::Customer, out);
  add_to_catalog<order::Event>(Aggregate::Order, out);
  add_to_catalog<complaint::Event>(Aggregate::Complaint, out);
  return out;
}

}  // namespace

Envelope wrap(Body body, Origin origin) {
  Envelope envelope;
  envelope.id = std::move(origin.id);
  envelope.type = std::move(body.type);
  envelope.v = body.version;
  envelope.stream = std::move(origin.stream);
  envelope.seq = origin.seq;
  envelope.customer_id = std::move(origin.customer_id);
  envelope.at = origin.at;
  envelope.actor = std::move(origin.actor);
  envelope.correlation_id =
      origin.correlation_id.empty() ? envelope.id : std::move(origin.correlation_id);
  envelope.causation_id =
      origin.causation_id.empty() ? envelope.id : std::move(origin.causation_id);
  envelope.data = std::move(body.data);
  envelope.personal = std::move(body.personal);
  return envelope;
}

Body encode(const customer::Event& event) {
  return encode_variant(event);
}
Body encode(const order::Event& event) {
  return encode_variant(event);
}
Body encode(const complaint::Event& event) {
  return encode_variant(event);
}

template <>
Result<customer::Event> decode<customer::Event>(const Envelope& envelope,
                                                const UpcasterRegistry& upcasters) {
  return decode_variant<customer::Event>(envelope, upcasters);
}

template <>
Result<order::Event> decode<order::Event>(const Envelope& envelope,
                                          const UpcasterRegistry& upcasters) {
  return decode_variant<order::Event>(envelope, upcasters);
}

template <>
Result<complaint::Event> decode<complaint::Event>(const Envelope& envelope,
                                                  const UpcasterRegistry& upcasters) {
  return decode_variant<complaint::Event>(envelope, upcasters);
}

const std::vector<EventType>& catalog() {
  static const std::vector<EventType> types = make_catalog();
  return types;
}

const EventType* find_event_type(std::string_view type) {
  for (const auto& entry : catalog())
    if (entry.type == type) return &entry;
  return nullptr;
}

std::string stream_name(const CustomerId& id) {
  return "customer-" + id.str();
}
std::string stream_name(const OrderId& id) {
  return "order-" + id.str();
}
std::string stream_name(const ComplaintId& id) {
  return "complaint-" + id.str();
}

}  // namespace clientele::events
