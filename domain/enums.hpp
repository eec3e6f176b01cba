#pragma once
// One table per enum gives its stable spelling, used on the wire and in the API alike.
// Specialize EnumNames<E> with `static constexpr std::array<std::pair<E, std::string_view>, N>
// values`; to_string and enum_from_string then work for E.

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace clientele {

template <class E>
struct EnumNames;

template <class E>
concept NamedEnum = requires {
  EnumNames<E>::values;
};

template <NamedEnum E>
constexpr std::string_view to_string(E value) {
  for (const auto& [e, name] : EnumNames<E>::values)
    if (e == value) return name;
  return {};
}

// Returns the enumerator spelled exactly `name`, or nullopt.
template <NamedEnum E>
constexpr std::optional<E> enum_from_string(std::string_view name) {
  for (const auto& [e, n] : EnumNames<E>::values)
    if (n == name) return e;
  return std::nullopt;
}

}  // namespace clientele
