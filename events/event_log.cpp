#include "events/event_log.hpp"

namespace clientele::events {

std::string to_string(Position position) {
  return std::to_string(position.partition.value) + ":" + std::to_string(position.offset.value);
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
