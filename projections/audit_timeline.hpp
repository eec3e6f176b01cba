#pragma once
// The audit timeline read model (DESIGN.md §5): per customer, who did what and when — every event
// about the customer (profile, addresses, orders, complaints), newest first. It holds no personal
// value: only the event's type, time, actor, stream and the names of the fields it set.
//
// Layout of its namespace:
//   "t/<customer id>/<offset: 16 hex digits>"  {eventId, type, at, actorId, actorRole, stream,
//                                               seq, fields: [names]}

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "projections/read_model.hpp"

namespace clientele::projections {

// One page of a customer's timeline.
struct TimelinePage {
  std::vector<nlohmann::json> entries;  // newest first
  std::optional<std::int64_t> next;     // pass as `before` for the next page; none at the end
};

class AuditTimeline final : public ReadModel {
 public:
  std::string_view name() const override { return "audit_timeline"; }
  int version() const override { return 1; }
  Result<void> evolve(const Folded& event, Rows& rows) const override;

  // Up to `limit` entries of the customer's timeline older than the log offset `before` (all
  // when none), on `snapshot` in the namespace `ns` (the live version of this model).
  Result<TimelinePage> timeline(const Snapshot& snapshot, const Namespace& ns,
                                const CustomerId& customer, std::optional<std::int64_t> before,
                                std::size_t limit) const;
};

}  // namespace clientele::projections
