#pragma once
// Upcasters turn an event body written under an older schema version into the next version,
// so that old events stay readable after a schema change (DESIGN.md §2). Each step goes from
// version N to N+1 of one wire name; upcasting chains the steps.

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "domain/result.hpp"

namespace clientele::events {

// Rewrites `data` and `personal` (null when the personal fields are unreadable) from version N to
// N+1, in place.
using Upcaster = std::function<void(nlohmann::json& data, nlohmann::json& personal)>;

class UpcasterRegistry {
 public:
  // Registers the step from version `from` of `type` to `from + 1`. Replaces an existing one.
  void add(std::string type, int from, Upcaster step);

  // Brings a body of `type` at `version` up to `target`, in place. errc::corrupt when `version`
  // is newer than `target` or a step on the way is missing.
  Result<void> upcast(std::string_view type, int version, int target, nlohmann::json& data,
                      nlohmann::json& personal) const;

 private:
  std::map<std::pair<std::string, int>, Upcaster, std::less<>> steps_;  // (type, from) -> step
};

// The registry with every upcaster clientele ships. Thread-safe to read.
const UpcasterRegistry& builtin_upcasters();

}  // namespace clientele::events
