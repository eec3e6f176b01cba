#pragma once
// The order routes (DESIGN.md §6, issue 8), under /api/v1/orders:
//   customers:
//     POST   /                         items [{productId, productName, quantity, unitPrice}],
//                                      currency, deliveryAddressId or deliveryAddress {…},
//                                      [totalAmount]: 201 + the order, Location, ETag (with
//                                      Idempotency-Key: a retry places nothing more)
//   customers (their own orders) and administrators (any):
//     GET    / and GET /filter         status, customerId (administrators), placedAfter,
//                                      placedBefore, sortOrder, limit, page or cursor
//     GET    /search?q=&limit=         by order id prefix ("ORD-…") or product-name words
//     GET    /:orderId                 one order, ETag "<version>"
//     GET    /:orderId/history         its status changes: from, to, notes, who, when
//     POST   /:orderId/cancel          {reason}: before it is shipped
//     POST   /:orderId/return          {reason}: delivered, within 30 days, once
//   administrators:
//     PATCH  /:orderId/status          {status, [notes]}: Processing, Shipped, Delivered one step
//                                      at a time; Returned once a return is approved
//     PATCH  /:orderId/return/approve  {[notes]}
//     PATCH  /:orderId/return/reject   {reason}
//     GET    /api/v1/customers/:customerId/orders   the customer's orders, as GET / lists them
//                                      (an unknown customer has none)
// A customer reaches only its own orders: another's order id answers 404, as an unknown one
// does. A change the order's state forbids is 409 naming "status"; changes honour If-Match (the
// order's version) and answer the order with its ETag and X-Clientele-Position. Queries honour
// X-Clientele-Position.

#include <nlohmann/json.hpp>

#include "api/idempotency.hpp"
#include "api/read_your_writes.hpp"
#include "api/router.hpp"
#include "commands/order_commands.hpp"
#include "projections/orders.hpp"
#include "projections/read_model_store.hpp"

namespace clientele::api {

struct OrderRoutes {
  commands::OrderCommands& orders;         // runs the order commands
  Idempotency& idempotency;                // POST /
  projections::ReadModelStore& store;      // what queries read
  const projections::Orders& model;        // the orders read model
  const ReadYourWrites& read_your_writes;  // queries wait for the position sent
};

// The most orders one page of a listing holds, and one search answers.
inline constexpr std::int64_t kMaxOrderListLimit = 100;
inline constexpr std::int64_t kMaxOrderSearchLimit = 50;

// The order resource (DESIGN.md §6) of a document of the orders read model
// (projections/orders.hpp): what the routes and the export answer.
nlohmann::json order_resource(const nlohmann::json& doc);

// Every order of `customer` in the live version of `model` on `snapshot`, oldest first, each an
// order resource with its "history" (for a customer: the role of staff, not who): the export's
// orders section. errc::unavailable while `model` is not built.
Result<nlohmann::json> customer_orders(const projections::Orders& model,
                                       const projections::Snapshot& snapshot,
                                       const CustomerId& customer, bool for_customer);

// Adds the routes above to `router`. `routes`' members must outlive the router.
Result<void> add_order_routes(Router& router, const OrderRoutes& routes);

}  // namespace clientele::api
