#include "events/upcast.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace clientele::events {
namespace {

// customer.tags-changed v1 -> v2: v1 stored the tags as one comma-separated string
// ("premium,tech,new-york", as the first API did); v2 stores a sorted array of unique,
// lower-cased tags.
void tags_as_array(nlohmann::json& data, nlohmann::json& /*personal*/) {
  std::set<std::string> tags;
  const auto joined = data.value("tags", std::string());
  std::size_t start = 0;
  while (start <= joined.size()) {
    const auto comma = std::min(joined.find(',', start), joined.size());
    std::string tag = joined.substr(start, comma - start);
    tag.erase(0, tag.find_first_not_of(" \t"));
    tag.erase(tag.find_last_not_of(" \t") + 1);
    std::transform(tag.begin(), tag.end(), tag.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!tag.empty()) tags.insert(std::move(tag));
    start = comma + 1;
  }
  data["tags"] = std::vector<std::string>(tags.begin(), tags.end());
}

UpcasterRegistry make_builtin() {
  UpcasterRegistry registry;
  registry.add("customer.tags-changed", 1, tags_as_array);
  return registry;
}

}  // namespace

void UpcasterRegistry::add(std::string type, int from, Upcaster step) {
  steps_.insert_or_assign(std::pair{std::move(type), from}, std::move(step));
}

Result<void> UpcasterRegistry::upcast(std::string_view type, int version, int target,
                                      nlohmann::json& data, nlohmann::json& personal) const {
  if (version > target) {
    return make_error(errc::corrupt, "v",
                      "event " + std::string(type) + " v" + std::to_string(version) +
                          " is newer than this build understands (v" + std::to_string(target) +
                          ")");
  }
  for (int v = version; v < target; ++v) {
    const auto it = steps_.find(std::pair{std::string(type), v});
    if (it == steps_.end()) {
      return make_error(errc::corrupt, "v",
                        "no upcaster from " + std::string(type) + " v" + std::to_string(v));
    }
    it->second(data, personal);
  }
  return success();
}

const UpcasterRegistry& builtin_upcasters() {
  static const UpcasterRegistry registry = make_builtin();
  return registry;
}

}  // namespace clientele::events
