#pragma once
// The customer query routes (DESIGN.md §6; the changes are in customer_change_routes.hpp, the
// lookups in customer_lookup_routes.hpp, the address book in address_routes.hpp, the export in
// export_routes.hpp):
//   customers, about themselves:
//     GET /api/v1/customers/me              the caller's own customer resource, ETag "<version>"
//     GET /api/v1/customers/me/statistics   the caller's order, complaint and login figures
//   administrators:
//     GET /api/v1/customers                 the list: filters, sorting, pages by cursor or number
//     GET /api/v1/customers/search?q=       customers whose name, email or phone holds q
//     GET /api/v1/customers/:customerId     one customer, ETag "<version>"; an erased one is the
//                                           anonymous record (status Erased)
//     GET /api/v1/customers/email/:email, GET /api/v1/customers/username/:username
//                                           one customer by lookup; erased ones are not found
//     GET /api/v1/customers/statistics/overview, GET /api/v1/customers/analytics
//                                           the analytics overview; the analytics also by type
//                                           and status, and the orders by status, the revenue
//                                           of the last 30 days, the complaints by category and
//                                           the mean time to resolve one
// Queries honour X-Clientele-Position (read_your_writes.hpp). Unknown query parameters are 400.
// The listing (ListRequest, answer_list) is shared with the lookup routes
// (customer_lookup_routes.hpp).

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/customer_fields.hpp"
#include "api/queries.hpp"
#include "api/query_reader.hpp"
#include "api/read_your_writes.hpp"
#include "api/router.hpp"
#include "commands/command_bus.hpp"
#include "domain/time.hpp"
#include "projections/commerce_analytics.hpp"
#include "projections/customer_analytics.hpp"
#include "projections/customer_list.hpp"
#include "projections/customer_profile.hpp"
#include "projections/customer_search.hpp"
#include "projections/read_model_store.hpp"

namespace clientele::api {

struct CustomerRoutes {
  projections::ReadModelStore& store;
  const projections::CustomerProfiles& profiles;
  const projections::CustomerList& list;
  const projections::CustomerSearch& search;
  const projections::CustomerAnalytics& analytics;
  const projections::CommerceAnalytics& commerce;  // the analytics' orders and complaints
  const ReadYourWrites& read_your_writes;
  std::function<Timestamp()> clock;  // "now": of the analytics (new today, average age), exports
};

// The most customers one page of the list holds, and one search answers.
inline constexpr std::int64_t kMaxListLimit = 100;
inline constexpr std::int64_t kMaxSearchLimit = 50;

// The statistics resource (GET /me/statistics, the export) of a customer's figures.
nlohmann::json statistics_resource(const projections::CustomerStatistics& statistics);

// What a customer's profile document must hold beyond the list model's filters: each text field
// given holds that text (any case), and the email's verification is as given.
struct ProfileMatch {
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<std::string> email;
  std::optional<std::string> company_name;
  std::optional<bool> verified;

  // Whether it asks for nothing.
  bool empty() const;
  // Whether the profile document `profile` (customer_profile.hpp) matches.
  bool matches(const nlohmann::json& profile) const;
};

// A fragment the search model must find a customer by, and the field it came in (which a
// problem with it names).
struct Fragment {
  std::string field;
  std::string text;  // at least CustomerSearch::kMinFragment characters
};

// A listing as a request asks for it. A page of it holds the customers of the list model's query
// that every fragment finds (up to kMaxSearchTermHits each) and whose profile matches `match`.
struct ListRequest {
  projections::ListQuery query;
  std::vector<Fragment> fragments;
  ProfileMatch match;
  std::int64_t page = 1;   // walked to from the start, unless by cursor
  bool by_cursor = false;  // query.after is the cursor the client sent
};

// The most customers one fragment of a listing may find.
inline constexpr std::size_t kMaxSearchTermHits = 10'000;

// Reads the paging and sorting parameters of a listing's query into `out`: page, limit, cursor,
// sortOrder (read_paging()) and sortBy.
void read_list_paging(QueryReader& query, ListRequest& out);
// The sort named `name` ("createdAt", "totalOrders", "totalOrderValue", "lastOrderDate").
std::optional<projections::ListSort> sort_named(std::string_view name);
// `text` as an ISO 3166-1 alpha-2 code in upper case; nullopt when it is not one.
std::optional<std::string> country_code(std::string_view text);
// Parameter "country" (country_code()); a problem when it is not a code.
std::optional<std::string> read_country(QueryReader& query);
// A date ("YYYY-MM-DD", its midnight UTC) or a UTC time; nullopt when `text` is neither.
std::optional<Timestamp> instant(std::string_view text);
// The comma-separated tags of `text`: 1 to kMaxListTags, none empty; nullopt otherwise.
std::optional<std::vector<std::string>> split_tags(std::string_view text);
inline constexpr std::size_t kMaxListTags = 10;

// Answers the page of the listing `wanted` asks for, as GET /api/v1/customers does: customers and
// pagination (with nextCursor).
Response answer_list(const CustomerRoutes& routes, const Request& request,
                     const ListRequest& wanted);

// The answer to a change `outcome` made to `customer`: the customer resource `viewer` sees as it
// is after the change, once the read models have folded it (as a query sending the change's
// position would: marked stale when that takes too long), with its ETag and
// X-Clientele-Position.
Response changed_customer(const CustomerRoutes& routes, const CustomerId& customer,
                          const commands::Outcome& outcome, Viewer viewer, int status,
                          std::string_view message);

// Adds the routes above to `router`. `routes`' members must outlive the router.
Result<void> add_customer_routes(Router& router, const CustomerRoutes& routes);

}  // namespace clientele::api
