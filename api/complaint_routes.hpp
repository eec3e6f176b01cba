#pragma once
// The complaint routes (DESIGN.md §6, issue 8), under /api/v1/complaints:
//   customers:
//     POST   /                          {category, subject, description, [orderId] (one of the
//                                       caller's orders)}: 201 + the complaint, Location, ETag
//                                       (with Idempotency-Key: a retry registers nothing more)
//   customers (their own complaints) and administrators (any):
//     GET    / and GET /filter          status, category, assignedTo and customerId
//                                       (administrators), createdAfter, createdBefore, sortOrder,
//                                       limit, page or cursor
//     GET    /:complaintId              one complaint, ETag "<version>"
//     GET    /:complaintId/history      its steps: event, from, to, notes, who, when
//     GET    /:complaintId/comments     its comments, oldest first; internal ones only for
//                                       administrators
//     POST   /:complaintId/comments     {comment, [isInternal] (administrators)}: 201 + the
//                                       comment
//     PATCH  /:complaintId/status       {status, [resolutionNotes], [reason]}: customers close
//                                       their resolved complaints ("Closed") and reopen them
//                                       ("Open" with a reason); administrators also start them
//                                       ("In Progress") and resolve them ("Resolved" with notes)
//     POST   /:complaintId/reopen       {reason}: a resolved or closed complaint opens again
//   administrators:
//     PATCH  /:complaintId/assign       {assignedTo}: an administrator's user id
//     PATCH  /:complaintId/resolve      {resolutionNotes}
//     GET    /api/v1/customers/:customerId/complaints   the customer's complaints, as GET /
//                                       lists them (an unknown customer has none)
// A customer reaches only its own complaints: another's complaint id answers 404, as an unknown
// one does; what a customer may not do is 403. A change the complaint's state forbids is 409
// naming "status"; changes honour If-Match (the complaint's version) and answer the complaint
// with its ETag and X-Clientele-Position. Queries honour X-Clientele-Position. Customers see the
// role of staff in comments and history, never who, and never the assignee.

#include <nlohmann/json.hpp>

#include "api/idempotency.hpp"
#include "api/read_your_writes.hpp"
#include "api/router.hpp"
#include "commands/complaint_commands.hpp"
#include "projections/complaints.hpp"
#include "projections/read_model_store.hpp"

namespace clientele::api {

struct ComplaintRoutes {
  commands::ComplaintCommands& complaints;  // runs the complaint commands
  Idempotency& idempotency;                 // POST /
  projections::ReadModelStore& store;       // what queries read
  const projections::Complaints& model;     // the complaints read model
  const ReadYourWrites& read_your_writes;   // queries wait for the position sent
};

// The most complaints one page of a listing holds.
inline constexpr std::int64_t kMaxComplaintListLimit = 100;

// The complaint resource (DESIGN.md §6) of a document of the complaints read model
// (projections/complaints.hpp), as an administrator or (`for_customer`) its customer sees it.
nlohmann::json complaint_resource(const nlohmann::json& doc, bool for_customer);

// Adds the routes above to `router`. `routes`' members must outlive the router.
Result<void> add_complaint_routes(Router& router, const ComplaintRoutes& routes);

}  // namespace clientele::api
