#pragma once
// The customer routes (DESIGN.md §6; the rest of them arrive with issue 7):
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
//                                           the analytics overview
// Queries honour X-Clientele-Position (read_your_writes.hpp). Unknown query parameters are 400.

#include <functional>

#include "api/customer_fields.hpp"
#include "api/read_your_writes.hpp"
#include "api/router.hpp"
#include "commands/command_bus.hpp"
#include "domain/time.hpp"
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
  const ReadYourWrites& read_your_writes;
  std::function<Timestamp()> clock;  // "now": of the analytics (new today, average age), exports
};

// The most customers one page of the list holds, and one search answers.
inline constexpr std::int64_t kMaxListLimit = 100;
inline constexpr std::int64_t kMaxSearchLimit = 50;

// The statistics resource (GET /me/statistics, the export) of a customer's figures.
nlohmann::json statistics_resource(const projections::CustomerStatistics& statistics);

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
