#pragma once
// The commerce analytics read model (DESIGN.md §5, issue 8 item 3): orders by status, revenue
// by day, complaints by category and the mean time to resolve a complaint — the figures the
// administrators' analytics add to the customer overview (customer_analytics.hpp).
//
// Workers fold partitions concurrently, so the figures are kept per partition and the query adds
// them up. Layout of its namespace (no key or value holds a personal value: ids, statuses,
// categories, currencies, amounts and times only):
//   "p/<partition: 4 digits>"               the partition's counters: ordersByStatus,
//                                           complaintsByCategory, resolutions (how many times a
//                                           complaint was resolved) and resolutionSeconds (the
//                                           time each of them took, summed)
//   "d/<partition: 4 digits>/<yyyy-mm-dd>"  the orders of the partition placed on that UTC day:
//                                           orders (how many) and revenue {currency: the total
//                                           amount, in minor units, of those neither cancelled
//                                           nor returned}
//   "o/<order id>"                          what the order contributes: status, day, currency,
//                                           totalAmount
//   "k/<complaint id>"                      the complaint's category, and since when it has been
//                                           open (registered or reopened; null while resolved)
//
// A resolution's time runs from the registration, or the last reopening, to the resolution.
// Erasure changes nothing here: nothing here is personal.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/time.hpp"
#include "projections/read_model.hpp"

namespace clientele::projections {

// The orders placed on one UTC day.
struct DayRevenue {
  Date day;
  std::int64_t orders = 0;                      // placed that day
  std::map<std::string, std::int64_t> revenue;  // currency -> minor units, neither cancelled
                                                // nor returned

  bool operator==(const DayRevenue&) const = default;
};

struct CommerceOverview {
  std::map<std::string, std::int64_t> orders_by_status;        // "Placed", ..., "Returned"
  std::vector<DayRevenue> revenue_by_day;                      // days with orders, oldest first
  std::map<std::string, std::int64_t> complaints_by_category;  // "Product Quality", ...
  std::int64_t resolutions = 0;  // how many times complaints were resolved
  // The mean time a resolution took, in hours; nullopt before the first one.
  std::optional<double> mean_hours_to_resolve;

  bool operator==(const CommerceOverview&) const = default;
};

class CommerceAnalytics final : public ReadModel {
 public:
  std::string_view name() const override { return "commerce_analytics"; }
  int version() const override { return 1; }
  Result<void> evolve(const Folded& event, Rows& rows) const override;

  // The figures on `snapshot` in the namespace `ns` (the live version of this model), with the
  // revenue of the UTC days `from` to `to` (both included). errc::corrupt when a row does not
  // parse.
  Result<CommerceOverview> overview(const Snapshot& snapshot, const Namespace& ns, Date from,
                                    Date to) const;
};

}  // namespace clientele::projections
