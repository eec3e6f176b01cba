#include "events/event_log.hpp"

namespace clientele::events {

std::string to_string(Position position) {
  return std::to_string(position.partition.value) + ":" + std::to_string(position.offset.value);
}

}  // namespace clientele::events
