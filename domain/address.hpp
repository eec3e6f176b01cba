#pragma once
// A postal address as a value: what a customer keeps in the address book and what an order
// copies as its delivery address. Every field is personal except `country`.

#include <array>
#include <string>
#include <string_view>
#include <utility>

#include "domain/enums.hpp"
#include "domain/result.hpp"

namespace clientele {

struct PostalAddress {
  std::string recipient_name;  // 2..100
  std::string phone;           // E.164, optional (empty)
  std::string line1;           // 1..200
  std::string line2;           // optional, ..200
  std::string city;            // 1..100
  std::string state;           // optional, ..100
  std::string postal_code;     // optional, ..20
  std::string country;         // ISO 3166-1 alpha-2, required

  bool operator==(const PostalAddress&) const = default;
};

// Checks every field; errors name the field as `prefix` + its camelCase name
// (e.g. "deliveryAddress.city"); with an empty prefix, just the name.
Result<void> validate_postal_address(const PostalAddress& address, std::string_view prefix = "");

enum class AddressKind { Home, Work, Other };

template <>
struct EnumNames<AddressKind> {
  static constexpr std::array<std::pair<AddressKind, std::string_view>, 3> values{{
      {AddressKind::Home, "home"},
      {AddressKind::Work, "work"},
      {AddressKind::Other, "other"},
  }};
};

}  // namespace clientele
