#include "api/preconditions.hpp"

#include <charconv>

#include "api/error_mapping.hpp"

namespace clientele::api {

std::string etag(std::uint64_t version) {
  return "\"" + std::to_string(version) + "\"";
}

Result<std::optional<std::uint64_t>> if_match(const Request& request) {
  const auto header = request.headers.get("if-match");
  if (!header || *header == "*") return std::optional<std::uint64_t>();
  const auto refused = [] {
    return make_error(errc::invalid, std::string(kIfMatch),
                      "must be the ETag a GET answered, e.g. \"3\"");
  };
  const auto text = *header;
  if (text.size() < 3 || text.front() != '"' || text.back() != '"') return refused();
  std::uint64_t version = 0;
  const auto* first = text.data() + 1;
  const auto* last = text.data() + text.size() - 1;
  const auto [end, err] = std::from_chars(first, last, version);
  if (err != std::errc() || end != last) return refused();
  return std::optional<std::uint64_t>(version);
}

}  // namespace clientele::api
