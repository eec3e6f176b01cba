#pragma once
// The customer routes (DESIGN.md §6; the rest of them arrive with issue 7):
//   GET /api/v1/customers/me   the caller's own customer resource, with ETag: "<version>"
// Queries honour X-Clientele-Position (read_your_writes.hpp).

#include "api/read_your_writes.hpp"
#include "api/router.hpp"
#include "projections/customer_profile.hpp"
#include "projections/read_model_store.hpp"

namespace clientele::api {

struct CustomerRoutes {
  projections::ReadModelStore& store;
  const projections::CustomerProfiles& profiles;
  const ReadYourWrites& read_your_writes;
};

// Adds the routes above to `router`. `routes`' members must outlive the router.
Result<void> add_customer_routes(Router& router, const CustomerRoutes& routes);

}  // namespace clientele::api
