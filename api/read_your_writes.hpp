#pragma once
// Read-your-writes (DESIGN.md §5): a command's answer carries `X-Clientele-Position`
// ("partition:offset" of its last event); a query sending it back waits — at most `max_wait` —
// until the projector has folded that event, and otherwise answers what it has, marked
// `X-Clientele-Stale: true`.

#include <chrono>
#include <optional>

#include "api/http.hpp"
#include "commands/command_bus.hpp"
#include "events/event_log.hpp"
#include "projections/projector.hpp"

namespace clientele::api {

inline constexpr std::string_view kPositionHeader = "X-Clientele-Position";

// "partition:offset" with both in range; nullopt for anything else.
std::optional<events::Position> parse_position(std::string_view text, std::int32_t partitions);

// Adds the X-Clientele-Position header of a command's answer: where its last event is.
void add_position(Response& response, const commands::Outcome& outcome);

class ReadYourWrites {
 public:
  // `projector` must outlive this object.
  ReadYourWrites(const projections::Projector& projector, std::int32_t partitions,
                 std::chrono::milliseconds max_wait = std::chrono::seconds(2));

  // Waits for the position `request` carries, if any. nullopt when the query may read now and
  // see it (or carried none); a 400 when the header is malformed; else the query reads now and
  // adds `stale` — see mark().
  struct Wait {
    std::optional<Response> refused;  // a malformed header
    bool stale = false;               // the position was not folded within max_wait
  };
  Wait wait(const Request& request) const;

  // Waits for `position` to be folded, as wait() does for the one a request carries.
  Wait wait_for(const events::Position& position) const;

  // Adds `X-Clientele-Stale: true` to `response` when `wait` timed out.
  static void mark(Response& response, const Wait& wait);

 private:
  const projections::Projector& projector_;
  std::int32_t partitions_;
  std::chrono::milliseconds max_wait_;
};

}  // namespace clientele::api
