#include "projections/read_model_store.hpp"

#include <charconv>

namespace clientele::projections {

std::string Namespace::str() const {
  return model + ".v" + std::to_string(version);
}

std::optional<Namespace> parse_namespace(std::string_view text) {
  const auto dot = text.rfind(".v");
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  const auto model = text.substr(0, dot);
  for (const char c : model) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return std::nullopt;
  }
  const auto digits = text.substr(dot + 2);
  int version = 0;
  const auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
  if (err != std::errc() || end != digits.data() + digits.size() || digits.empty() ||
      digits.front() == '0' || version < 1) {
    return std::nullopt;
  }
  return Namespace{std::string(model), version};
}

KeyRange KeyRange::prefixed(std::string_view prefix) {
  // The first key past every key with the prefix: the prefix with its last byte below 0xff
  // incremented and what follows it dropped; none when the prefix is all 0xff.
  std::string to(prefix);
  while (!to.empty() && static_cast<unsigned char>(to.back()) == 0xff) to.pop_back();
  if (!to.empty()) to.back() = static_cast<char>(static_cast<unsigned char>(to.back()) + 1);
  return KeyRange{std::string(prefix), std::move(to)};
}

}  // namespace clientele::projections
