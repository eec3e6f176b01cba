#include "projections/counters.hpp"

#include <fmt/format.h>

namespace clientele::projections {

using nlohmann::json;

std::string partition_name(events::Partition partition) {
  return fmt::format("{:04d}", partition.value);
}

void add(json& counters, const char* field, std::int64_t delta) {
  counters[field] = counters.at(field).get<std::int64_t>() + delta;
}

void add_to(json& counters, const char* field, const std::string& value, std::int64_t delta) {
  if (value.empty()) return;
  auto& counts = counters.at(field);
  const auto count = counts.value(value, std::int64_t{0}) + delta;
  if (count == 0) {
    counts.erase(value);
  } else {
    counts[value] = count;
  }
}

void add_counts(std::map<std::string, std::int64_t>& to, const json& counts) {
  for (const auto& item : counts.items()) to[item.key()] += item.value().get<std::int64_t>();
}

}  // namespace clientele::projections
