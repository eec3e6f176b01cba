#pragma once
// The counters of the analytics read models (customer_analytics.hpp, commerce_analytics.hpp):
// documents of counts that each partition keeps under keys of its own (workers fold partitions
// concurrently) and that queries add up.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "domain/result.hpp"
#include "events/event_log.hpp"

namespace clientele::projections {

// The partition as keys spell it: 4 digits.
std::string partition_name(events::Partition partition);

// Adds `delta` to the count `counters[field]`.
void add(nlohmann::json& counters, const char* field, std::int64_t delta);

// Adds `delta` to the count of `value` in the map `counters[field]`; a count reaching 0 leaves
// the map, so that no value stays in it that nobody contributes. An empty `value` is not counted.
void add_to(nlohmann::json& counters, const char* field, const std::string& value,
            std::int64_t delta);

// Adds the counts of the map `counts` (value -> count) to `to`. Throws json::exception when a
// count is not a number.
void add_counts(std::map<std::string, std::int64_t>& to, const nlohmann::json& counts);

// Runs `f`, turning the exception a row of an unexpected shape throws (json::exception) into
// errc::corrupt naming the read model `model`.
template <class F>
auto guarded(std::string_view model, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const nlohmann::json::exception&) {
    return make_error(errc::corrupt, "",
                      "a " + std::string(model) + " row has a missing or bad field");
  }
}

}  // namespace clientele::projections
