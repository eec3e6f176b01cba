#pragma once
// Test names built from a prefix and a number.

#include <string>
#include <string_view>

namespace clientele::testing {

// `prefix` followed by `n` in decimal: numbered("t", 7) == "t7". Built by appending, because
// GCC 12 at -O3 warns wrongly (-Wrestrict) about `"t" + std::to_string(n)`.
inline std::string numbered(std::string_view prefix, long long n) {
  std::string out(prefix);
  out += std::to_string(n);
  return out;
}

}  // namespace clientele::testing
