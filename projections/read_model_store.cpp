#include "projections/read_model_store.hpp"

#include <charconv>

namespace clientele::projections {

std::string Namespace::str() const {
  auto out = model + ".v" + std::to_string(version);
  if (build > 0) out += ".b" + std::to_string(build);
  return out;
}

namespace {

// A positive number without leading zeros, or nullopt.
std::optional<int> positive(std::string_view digits) {
  int value = 0;
  const auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (err != std::errc() || end != digits.data() + digits.size() || digits.empty() ||
      digits.front() == '0' || value < 1) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::optional<Namespace> parse_namespace(std::string_view text) {
  int build = 0;
  if (const auto b = text.rfind(".b"); b != std::string_view::npos) {
    const auto number = positive(text.substr(b + 2));
    if (!number) return std::nullopt;
    build = *number;
    text = text.substr(0, b);
  }
  const auto dot = text.rfind(".v");
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  const auto model = text.substr(0, dot);
  for (const char c : model) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return std::nullopt;
  }
  const auto version = positive(text.substr(dot + 2));
  if (!version) return std::nullopt;
  return Namespace{std::string(model), *version, build};
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
