#pragma once
// The compliance routes (DESIGN.md §3, §6), for administrators:
//   POST /api/v1/admin/erasures          customerId, reasonCode, legalBasis: 202 with the erasure
//                                        (erasureId, status pending) and its Location; with
//                                        Idempotency-Key
//   GET  /api/v1/admin/erasures/:erasureId  the erasure: its status (pending, erased, completed,
//                                        failed) and, once erased, its receipt — the same receipt
//                                        `clientele erase` prints
// The administrator asking is recorded as requestedBy. An unknown customer is 404 and a malformed
// request 400, before anything is recorded; an erasure once acknowledged is carried out even if
// the service stops in between (commands/erasure_desk.hpp). Erasing an erased customer again
// completes with the first erasure's receipt (alreadyErased).

#include "api/idempotency.hpp"
#include "api/router.hpp"
#include "commands/erasure_desk.hpp"

namespace clientele::api {

struct ErasureRoutes {
  commands::ErasureDesk& desk;
  Idempotency& idempotency;
};

// Adds the routes above to `router`. `routes`' members must outlive the router.
Result<void> add_erasure_routes(Router& router, const ErasureRoutes& routes);

}  // namespace clientele::api
