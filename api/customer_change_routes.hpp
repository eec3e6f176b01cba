#pragma once
// The routes that change customers (DESIGN.md §6, issue 7):
//   a customer, about themselves:
//     PUT    /api/v1/customers/me          firstName, lastName, phone, dateOfBirth, gender,
//                                          companyName, preferences {newsletter, notifications,
//                                          language, currency}, marketingEmails, marketingSms
//   administrators:
//     PUT    /api/v1/customers/:customerId               customerType, tags, preferences, notes
//     PATCH  /api/v1/customers/:customerId/status        status, [reason]
//     PATCH  /api/v1/customers/:customerId/type          customerType
//     POST   /api/v1/customers/:customerId/notes         note                     201
//     PATCH  /api/v1/customers/:customerId/verify-email  (no body)
//     PATCH  /api/v1/customers/:customerId/verify-phone  (no body)
//     DELETE /api/v1/customers/:customerId               soft: the customer becomes Inactive;
//                                                        400 naming "orders" and "complaints"
//                                                        while it has active orders or open
//                                                        complaints
//     POST   /api/v1/customers/bulk-update               customerIds (1..100), updates: an answer
//                                                        per customer
// Every member is optional in a PUT; members left out keep their values (in `preferences` too).
// Members a route does not take are 400 by name: a customer cannot set its status, type, role or
// figures (no mass assignment). `notes` adds one staff note (they are kept, never replaced).
//
// Each change of one customer is one append: all of it or nothing. PUT, PATCH and DELETE take
// If-Match (412 when the customer changed since); the POSTs take Idempotency-Key. A change answers
// the customer as it is afterwards (changed_customer, customer_routes.hpp). An unknown customer
// is 404; an erased one 409.

#include "api/customer_routes.hpp"
#include "api/idempotency.hpp"
#include "api/router.hpp"
#include "commands/customer_commands.hpp"
#include "projections/orders.hpp"

namespace clientele::api {

struct CustomerChangeRoutes {
  commands::CustomerCommands& commands;
  Idempotency& idempotency;           // the POSTs
  CustomerRoutes queries;             // the answers: the customer after the change
  const projections::Orders& orders;  // a soft delete is refused while orders are active
};

// The most customers one bulk update changes.
inline constexpr std::size_t kMaxBulkCustomers = 100;

// Adds the routes above to `router`. `routes`' members must outlive the router.
Result<void> add_customer_change_routes(Router& router, const CustomerChangeRoutes& routes);

}  // namespace clientele::api
