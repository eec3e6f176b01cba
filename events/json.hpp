#pragma once
// JSON spellings of the domain's value types, for nlohmann_json:
//   Id<Tag>      "CUST_1a2b3c4d"            Timestamp  "2026-01-20T14:30:00.123Z" (UTC)
//   Date         "1990-01-15"                NamedEnum  its EnumNames spelling
// from_json throws nlohmann::json::exception (type_error / out_of_range / other_error) on a
// malformed value; the codec turns those into errc::corrupt at its boundary.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "domain/context.hpp"
#include "domain/enums.hpp"
#include "domain/ids.hpp"
#include "domain/time.hpp"

namespace clientele {

std::string format_timestamp(Timestamp t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff]Z"; nullopt otherwise.
std::optional<Timestamp> parse_timestamp(std::string_view text);

std::string format_date(Date d);
// Accepts "YYYY-MM-DD" naming a real calendar day; nullopt otherwise.
std::optional<Date> parse_date(std::string_view text);

}  // namespace clientele

namespace nlohmann {

template <class Tag>
struct adl_serializer<clientele::Id<Tag>> {
  static void to_json(json& j, const clientele::Id<Tag>& id) { j = id.str(); }
  static void from_json(const json& j, clientele::Id<Tag>& id) {
    id = clientele::Id<Tag>(j.get<std::string>());
  }
};

template <>
struct adl_serializer<clientele::Timestamp> {
  static void to_json(json& j, const clientele::Timestamp& t);
  static void from_json(const json& j, clientele::Timestamp& t);
};

template <>
struct adl_serializer<clientele::Date> {
  static void to_json(json& j, const clientele::Date& d);
  static void from_json(const json& j, clientele::Date& d);
};

template <clientele::NamedEnum E>
struct adl_serializer<E> {
  static void to_json(json& j, const E& e) { j = std::string(clientele::to_string(e)); }
  static void from_json(const json& j, E& e) {
    const auto parsed = clientele::enum_from_string<E>(j.get<std::string>());
    if (!parsed) throw json::other_error::create(501, "unknown enumerator", &j);
    e = *parsed;
  }
};

template <class T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& v) {
    if (v) {
      j = *v;
    } else {
      j = nullptr;
    }
  }
  static void from_json(const json& j, std::optional<T>& v) {
    if (j.is_null()) {
      v.reset();
    } else {
      v = j.get<T>();
    }
  }
};

}  // namespace nlohmann
