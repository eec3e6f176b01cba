#include "events/event_log.hpp"

#include <charconv>

namespace clientele::events {

std::string to_string(Position position) {
  return std::to_string(position.partition.value) + ":" + std::to_string(position.offset.value);
}

namespace {

template <class T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (err != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<Position> parse_position(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto partition = parse_number<std::int32_t>(text.substr(0, colon));
  const auto offset = parse_number<std::int64_t>(text.substr(colon + 1));
  if (!partition || !offset || *partition < 0 || *offset < 0) return std::nullopt;
  return Position{{*partition}, {*offset}};
}

Result<std::vector<Offset>> end_offsets(EventReader& log) {
  std::vector<Offset> ends;
  for (std::int32_t p = 0; p < log.partition_count(); ++p) {
    auto end = log.end_offset(Partition{p});
    if (!end) return end.error();
    ends.push_back(*end);
  }
  return ends;
}

}  // namespace clientele::events
