#include "projections/audit_timeline.hpp"

#include <fmt/format.h>

#include <string>

#include "events/json.hpp"

namespace clientele::projections {
namespace {

using nlohmann::json;

std::string timeline_prefix(const CustomerId& customer) {
  return "t/" + customer.str() + "/";
}

// Hex digits of fixed width, so that keys sort by offset.
std::string entry_key(const CustomerId& customer, std::int64_t offset) {
  return fmt::format("{}{:016x}", timeline_prefix(customer), offset);
}

// The names of the members of `object` (none of their values).
void add_names(json& names, const json& object) {
  if (!object.is_object()) return;
  for (const auto& [name, value] : object.items()) names.push_back(name);
}

}  // namespace

Result<void> AuditTimeline::evolve(const Folded& event, Rows& rows) const {
  const auto& e = event.envelope;
  json fields = json::array();
  add_names(fields, e.data);
  add_names(fields, e.personal);
  rows.put_doc(entry_key(e.customer_id, event.position.offset.value),
               {{"eventId", e.id},
                {"type", e.type},
                {"at", e.at},
                {"actorId", e.actor.id.str()},
                {"actorRole", e.actor.role},
                {"stream", e.stream},
                {"seq", e.seq.value},
                {"fields", std::move(fields)},
                {"offset", event.position.offset.value}});
  return success();
}

Result<TimelinePage> AuditTimeline::timeline(const Snapshot& snapshot, const Namespace& ns,
                                             const CustomerId& customer,
                                             std::optional<std::int64_t> before,
                                             std::size_t limit) const {
  auto range = KeyRange::prefixed(timeline_prefix(customer));
  if (before) range.to = entry_key(customer, *before);
  TimelinePage page;
  Result<void> parsed = success();
  auto scanned = snapshot.scan_backward(ns, range, [&](std::string_view, std::string_view bytes) {
    if (page.entries.size() == limit) {
      page.next = page.entries.back()["offset"].get<std::int64_t>();
      return false;
    }
    auto doc = parse_doc(bytes);
    if (!doc) {
      parsed = doc.error();
      return false;
    }
    page.entries.push_back(std::move(*doc));
    return true;
  });
  if (!scanned) return scanned.error();
  if (!parsed) return parsed.error();
  return page;
}

}  // namespace clientele::projections
