#pragma once
// The customer list read model (DESIGN.md §5): every customer with the figures administrators
// filter and sort by, and the customer statistics those figures come from (orders, complaints,
// logins). Pages are read by seeking on index keys, never by skipping rows: a page ends with a
// cursor, and the next page starts at it.
//
// Layout of its namespace (every key belongs to one customer; none holds a personal value — the
// city and the tags appear only as keyed hashes under the pepper):
//   "m/<customer id>"                                  the member: filter fields and statistics
//   "i/<filter>/<sort>/<sort value: 8 bytes><id>"      the member's filter fields; one entry per
//                                                      filter dimension the member falls in ("*",
//                                                      "status:X", "type:X", "country:X",
//                                                      "city:<hash>", "tag:<hash>") and per sort
//                                                      field. Only entries whose key changes are
//                                                      rewritten, unless a filter field changed
//   "o/<order stream>", "k/<complaint stream>"         what an order or complaint counts for
//
// On `customer.erased` the member keeps its status ("Erased"), type, country and figures; its
// city and tags leave the member and every index.

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "events/crypto.hpp"
#include "projections/read_model.hpp"

namespace clientele::projections {

enum class ListSort { CreatedAt, TotalOrders, TotalOrderValue, LastOrderDate };

struct ListQuery {
  std::optional<std::string> status;           // "Active", "Inactive", "Suspended" or "Erased"
  std::vector<std::string> excluded_statuses;  // the customer has none of them
  std::optional<std::string> type;             // "Regular", "Premium" or "VIP"
  std::optional<std::string> country;          // ISO 3166-1 alpha-2
  std::optional<std::string> city;             // any case
  std::vector<std::string> tags;               // the customer has every one of them (any case)
  std::optional<Timestamp> created_after;      // inclusive
  std::optional<Timestamp> created_before;     // exclusive
  ListSort sort = ListSort::CreatedAt;
  bool descending = true;
  std::size_t limit = 20;
  std::string after;  // the cursor of the previous page; empty for the first
};

struct ListPage {
  std::vector<CustomerId> customers;  // in the order asked for
  std::string next;                   // the cursor of the next page; empty after the last
};

// A customer's statistics (the figures of the member).
struct CustomerStatistics {
  std::int64_t total_orders = 0;
  std::int64_t total_order_value = 0;  // minor units, orders neither cancelled nor returned
  std::int64_t total_complaints = 0;
  std::int64_t open_complaints = 0;
  std::optional<Timestamp> last_order_date;
  std::optional<Timestamp> last_complaint_date;
  std::int64_t login_count = 0;
  std::optional<Timestamp> last_login_date;
};

class CustomerList final : public ReadModel {
 public:
  // `pepper` keys the hashes of cities and tags.
  explicit CustomerList(events::SecretKey pepper) : pepper_(std::move(pepper)) {}

  std::string_view name() const override { return "customer_list"; }
  int version() const override { return 3; }
  Result<void> evolve(const Folded& event, Rows& rows) const override;

  // Queries on `snapshot`, in the namespace `ns` (the live version of this model).
  // errc::invalid naming "after" for a cursor this model did not hand out for the same sort.
  Result<ListPage> list(const Snapshot& snapshot, const Namespace& ns,
                        const ListQuery& query) const;
  // nullopt when no such customer was registered.
  Result<std::optional<CustomerStatistics>> statistics(const Snapshot& snapshot,
                                                       const Namespace& ns,
                                                       const CustomerId& customer) const;

  // The keyed hash of a city or tag, as keys hold it.
  std::string hash(std::string_view kind, std::string_view value) const;

 private:
  events::SecretKey pepper_;  // keys the hashes
};

}  // namespace clientele::projections
