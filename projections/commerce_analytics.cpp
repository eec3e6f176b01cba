#include "projections/commerce_analytics.hpp"

#include <chrono>
#include <string>

#include "events/json.hpp"
#include "projections/counters.hpp"

namespace clientele::projections {
namespace {

using nlohmann::json;
namespace chrono = std::chrono;

constexpr std::string_view kCounters = "p/";
constexpr std::string_view kDays = "d/";
constexpr std::string_view kOrderStream = "order-";
constexpr std::string_view kComplaintStream = "complaint-";
constexpr double kSecondsPerHour = 3600;

std::string counters_key(std::string_view partition) {
  return std::string(kCounters) + std::string(partition);
}
std::string day_key(std::string_view partition, std::string_view day) {
  return std::string(kDays) + std::string(partition) + "/" + std::string(day);
}
std::string order_key(std::string_view order) {
  return "o/" + std::string(order);
}
std::string complaint_key(std::string_view complaint) {
  return "k/" + std::string(complaint);
}

json new_counters() {
  return {{"ordersByStatus", json::object()},
          {"complaintsByCategory", json::object()},
          {"resolutions", 0},
          {"resolutionSeconds", 0}};
}

// The counters of the partition `event` is in, to change in place.
Result<json*> counters_of(const Folded& event, Rows& rows) {
  auto counters = rows.edit_doc(counters_key(partition_name(event.position.partition)));
  if (!counters) return counters.error();
  if ((*counters)->is_null()) **counters = new_counters();
  return *counters;
}

// The id of the aggregate of `event`'s stream when it starts with `prefix`, else empty.
std::string_view stream_id(const Folded& event, std::string_view prefix) {
  const std::string_view stream = event.envelope.stream;
  return stream.starts_with(prefix) ? stream.substr(prefix.size()) : std::string_view();
}

// ---- orders ---------------------------------------------------------------------------------

// The status an order event leaves the order in; nullopt when it leaves it as it was.
std::optional<order::Status> status_after(const order::Event& body) {
  using order::Status;
  if (std::holds_alternative<order::Placed>(body)) return Status::Placed;
  if (const auto* changed = std::get_if<order::StatusChanged>(&body)) return changed->to;
  if (std::holds_alternative<order::Cancelled>(body)) return Status::Cancelled;
  if (std::holds_alternative<order::ReturnRequested>(body)) return Status::ReturnRequested;
  if (std::holds_alternative<order::ReturnRejected>(body)) return Status::Delivered;
  if (std::holds_alternative<order::Returned>(body)) return Status::Returned;
  return std::nullopt;
}

// Whether an order in `status` counts in the revenue.
bool earns(std::string_view status) {
  return status != "Cancelled" && status != "Returned";
}

// Adds the order `row` to its day: `orders` more orders, `sign` times its amount when it earns.
Result<void> count_day(const Folded& event, Rows& rows, const json& row, std::int64_t orders,
                       std::int64_t sign) {
  const auto key =
      day_key(partition_name(event.position.partition), row.at("day").get<std::string>());
  auto day = rows.edit_doc(key);
  if (!day) return day.error();
  if ((*day)->is_null()) **day = {{"orders", 0}, {"revenue", json::object()}};
  add(**day, "orders", orders);
  if (earns(row.at("status").get<std::string>())) {
    add_to(**day, "revenue", row.at("currency").get<std::string>(),
           sign * row.at("totalAmount").get<std::int64_t>());
  }
  return success();
}

Result<void> fold_order(const Folded& event, const order::Event& body, Rows& rows) {
  const auto id = stream_id(event, kOrderStream);
  const auto to = status_after(body);
  if (id.empty() || !to) return success();
  const auto key = order_key(id);
  auto stored = rows.get_doc(key);
  if (!stored) return stored.error();
  const auto* placed = std::get_if<order::Placed>(&body);
  if (placed != nullptr && *stored) return success();   // placed twice: the first counts
  if (placed == nullptr && !*stored) return success();  // no such order
  auto counters = counters_of(event, rows);
  if (!counters) return counters.error();
  json row;
  if (placed != nullptr) {
    row = {{"status", *to},
           {"day", format_date(chrono::floor<chrono::days>(event.envelope.at))},
           {"currency", placed->currency},
           {"totalAmount", placed->total_amount}};
    if (auto counted = count_day(event, rows, row, 1, 1); !counted) return counted;
  } else {
    row = std::move(**stored);
    add_to(**counters, "ordersByStatus", row.at("status").get<std::string>(), -1);
    if (auto counted = count_day(event, rows, row, 0, -1); !counted) return counted;
    row["status"] = *to;
    if (auto counted = count_day(event, rows, row, 0, 1); !counted) return counted;
  }
  add_to(**counters, "ordersByStatus", row.at("status").get<std::string>(), 1);
  rows.put_doc(key, std::move(row));
  return success();
}

// ---- complaints -----------------------------------------------------------------------------

Result<void> fold_complaint(const Folded& event, const complaint::Event& body, Rows& rows) {
  const auto id = stream_id(event, kComplaintStream);
  if (id.empty()) return success();
  const auto key = complaint_key(id);
  auto stored = rows.get_doc(key);
  if (!stored) return stored.error();
  const auto* registered = std::get_if<complaint::Registered>(&body);
  if ((registered != nullptr) == stored->has_value()) return success();  // twice, or unknown
  auto counters = counters_of(event, rows);
  if (!counters) return counters.error();
  if (registered != nullptr) {
    const std::string category(clientele::to_string(registered->category));
    add_to(**counters, "complaintsByCategory", category, 1);
    rows.put_doc(key, {{"category", category}, {"openSince", event.envelope.at}});
    return success();
  }
  auto& row = **stored;
  if (std::holds_alternative<complaint::Reopened>(body)) {
    row["openSince"] = event.envelope.at;
  } else if (std::holds_alternative<complaint::Resolved>(body) && !row.at("openSince").is_null()) {
    const auto since = parse_timestamp(row.at("openSince").get<std::string>());
    if (!since) return make_error(errc::corrupt, "", "a commerce_analytics row is malformed");
    add(**counters, "resolutions", 1);
    add(**counters, "resolutionSeconds",
        chrono::duration_cast<chrono::seconds>(event.envelope.at - *since).count());
    row["openSince"] = nullptr;
  } else {
    return success();
  }
  rows.put_doc(key, std::move(row));
  return success();
}

// ---- the query ------------------------------------------------------------------------------

// Adds the days `from` to `to` of `partition` to `days`. Throws json::exception when malformed.
Result<void> add_days(const Snapshot& snapshot, const Namespace& ns, std::string_view partition,
                      const std::string& from, const std::string& to,
                      std::map<std::string, DayRevenue>& days) {
  // Day keys sort by date; the range ends just after the key of day `to`.
  auto rows =
      scan_docs(snapshot, ns, KeyRange{day_key(partition, from), day_key(partition, to) + "~"});
  if (!rows) return rows.error();
  for (const auto& [key, doc] : *rows) {
    const auto text = std::string_view(key).substr(kDays.size() + partition.size() + 1);
    const auto day = parse_date(text);
    if (!day) return make_error(errc::corrupt, "", "a commerce_analytics day key is malformed");
    auto& out = days[std::string(text)];
    out.day = *day;
    out.orders += doc.at("orders").get<std::int64_t>();
    add_counts(out.revenue, doc.at("revenue"));
  }
  return success();
}

Result<CommerceOverview> collect(const Snapshot& snapshot, const Namespace& ns, Date from,
                                 Date to) {
  auto partitions = scan_docs(snapshot, ns, KeyRange::prefixed(kCounters));
  if (!partitions) return partitions.error();
  CommerceOverview out;
  std::int64_t seconds = 0;
  std::map<std::string, DayRevenue> days;  // by "yyyy-mm-dd", so in order
  for (const auto& [key, counters] : *partitions) {
    add_counts(out.orders_by_status, counters.at("ordersByStatus"));
    add_counts(out.complaints_by_category, counters.at("complaintsByCategory"));
    out.resolutions += counters.at("resolutions").get<std::int64_t>();
    seconds += counters.at("resolutionSeconds").get<std::int64_t>();
    const auto partition = std::string_view(key).substr(kCounters.size());
    if (auto added = add_days(snapshot, ns, partition, format_date(from), format_date(to), days);
        !added) {
      return added.error();
    }
  }
  for (auto& [text, day] : days) out.revenue_by_day.push_back(std::move(day));
  if (out.resolutions > 0) {
    out.mean_hours_to_resolve =
        static_cast<double>(seconds) / static_cast<double>(out.resolutions) / kSecondsPerHour;
  }
  return out;
}

}  // namespace

Result<void> CommerceAnalytics::evolve(const Folded& event, Rows& rows) const {
  return guarded(name(), [&]() -> Result<void> {
    if (const auto* body = std::get_if<order::Event>(&event.event)) {
      return fold_order(event, *body, rows);
    }
    if (const auto* body = std::get_if<complaint::Event>(&event.event)) {
      return fold_complaint(event, *body, rows);
    }
    return success();
  });
}

Result<CommerceOverview> CommerceAnalytics::overview(const Snapshot& snapshot, const Namespace& ns,
                                                     Date from, Date to) const {
  return guarded(name(), [&] { return collect(snapshot, ns, from, to); });
}

}  // namespace clientele::projections
