#include "api/read_your_writes.hpp"

#include "api/envelope.hpp"
#include "domain/validation.hpp"

namespace clientele::api {

std::optional<events::Position> parse_position(std::string_view text, std::int32_t partitions) {
  auto position = events::parse_position(text);
  if (!position || position->partition.value >= partitions) return std::nullopt;
  return position;
}

void add_position(Response& response, const commands::Outcome& outcome) {
  if (outcome.positions.empty()) return;
  response.headers.emplace_back(kPositionHeader, events::to_string(outcome.positions.back()));
}

ReadYourWrites::ReadYourWrites(const projections::Projector& projector, std::int32_t partitions,
                               std::chrono::milliseconds max_wait)
    : projector_(projector), partitions_(partitions), max_wait_(max_wait) {}

ReadYourWrites::Wait ReadYourWrites::wait(const Request& request) const {
  const auto header = request.headers.get(ascii_lower(kPositionHeader));
  if (!header) return {};
  const auto position = parse_position(*header, partitions_);
  if (!position) {
    return {failure(400, "the position header is not valid",
                    {{std::string(kPositionHeader),
                      "must be PARTITION:OFFSET, as a command "
                      "answer gave it"}}),
            false};
  }
  return wait_for(*position);
}

ReadYourWrites::Wait ReadYourWrites::wait_for(const events::Position& position) const {
  return {std::nullopt, !projector_.wait_for(position, max_wait_)};
}

void ReadYourWrites::mark(Response& response, const Wait& wait) {
  if (wait.stale) response.headers.emplace_back("X-Clientele-Stale", "true");
}

}  // namespace clientele::api
