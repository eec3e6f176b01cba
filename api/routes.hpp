#pragma once
// The whole route table of `clientele serve`, built in one place: the server serves it, and
// tests/api/openapi_test.cpp compares it with the OpenAPI document (openapi.hpp). Every route
// of the service is added by build_routes(), and its path to api/openapi.json.

#include "api/address_routes.hpp"
#include "api/auth_routes.hpp"
#include "api/complaint_routes.hpp"
#include "api/customer_change_routes.hpp"
#include "api/customer_lookup_routes.hpp"
#include "api/customer_routes.hpp"
#include "api/docs_routes.hpp"
#include "api/erasure_routes.hpp"
#include "api/export_routes.hpp"
#include "api/lag_monitor.hpp"
#include "api/metrics.hpp"
#include "api/ops_routes.hpp"
#include "api/order_routes.hpp"
#include "api/router.hpp"
#include "domain/result.hpp"
#include "projections/projector.hpp"

namespace clientele::api {

// What the routes answer from. The referenced objects must outlive the router built.
struct RouteContext {
  const LagMonitor& lag;                       // /readyz, /metrics
  const projections::Projector& projector;     // /metrics
  const HttpMetrics& metrics;                  // /metrics
  const commands::CommandStats& commands;      // /metrics
  const commands::PasswordHasher& passwords;   // /metrics
  commands::CustomerCommands& changes;         // the changes under /api/v1/customers
  commands::ErasureDesk& erasures;             // /api/v1/admin/erasures
  const projections::AuditTimeline& timeline;  // .../export (with `customers` and `addresses`)
  AuthRoutes auth;                             // /api/v1/auth/...
  CustomerRoutes customers;                    // /api/v1/customers/...
  AddressRoutes addresses;                     // /api/v1/customers/{me,:customerId}/addresses...
  OrderRoutes orders;                          // /api/v1/orders/...
  ComplaintRoutes complaints;                  // /api/v1/complaints/...
  OpsOptions ops{};                            // /readyz
  SwaggerUi swagger_ui{};                      // /docs; empty: not installed (503)
};

// Every route: the auth, customer, address, order, complaint, export and erasure routes (the POSTs
// idempotent with `auth.idempotency`), the ops routes, /openapi.json and /docs. Errors are those of
// Router::add (a malformed or repeated route: a programming error).
Result<Router> build_routes(RouteContext context);

}  // namespace clientele::api
