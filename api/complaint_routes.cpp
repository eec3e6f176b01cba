#include "api/complaint_routes.hpp"

#include <string>
#include <utility>

#include "api/envelope.hpp"
#include "api/error_mapping.hpp"
#include "api/preconditions.hpp"
#include "api/queries.hpp"
#include "api/query_reader.hpp"
#include "api/request_reader.hpp"
#include "events/json.hpp"

namespace clientele::api {
namespace {

using nlohmann::json;
using projections::Snapshot;

constexpr const char* kCategories =
    "Product Quality, Delivery Issue, Customer Service, Payment Issue, Other";
constexpr const char* kStatuses = "Open, In Progress, Resolved, Closed";

ComplaintId complaint_in_path(const Request& request) {
  return ComplaintId(std::string(*request.param("complaintId")));
}

bool by_customer(const Request& request) {
  return request.caller->role == Role::Customer;
}

Response no_such_complaint() {
  return failure(404, "there is no such complaint", {{"complaintId", "complaint not found"}});
}

// The document of complaint `id` when `request`'s caller may see it — any complaint for an
// administrator, its own for a customer — else nullopt: another's complaint is as unknown.
Result<std::optional<json>> visible_complaint(const ComplaintRoutes& routes,
                                              const Snapshot& snapshot, const Request& request,
                                              const ComplaintId& id) {
  auto ns = live(snapshot, routes.model);
  if (!ns) return ns.error();
  auto doc = routes.model.find(snapshot, *ns, id);
  if (!doc) return doc.error();
  if (*doc && by_customer(request) && (**doc)["customerId"] != request.caller->id) {
    return std::optional<json>();
  }
  return doc;
}

// The answer to a change `outcome` made to complaint `id`: the complaint as the read model holds
// it once it has folded the change, its ETag and position (changed_answer()).
Response changed_complaint(const ComplaintRoutes& routes, const Request& request,
                           const ComplaintId& id, const commands::Outcome& outcome, int status,
                           std::string_view message) {
  return changed_answer(
      routes.read_your_writes, routes.store, outcome, status, message,
      [&](const Snapshot& snapshot) -> Result<std::optional<json>> {
        auto doc = visible_complaint(routes, snapshot, request, id);
        if (!doc || !*doc) return doc;
        return std::optional<json>(complaint_resource(**doc, by_customer(request)));
      },
      json{{"complaintId", id}});
}

// A comment as the caller sees it: customers learn the role of staff who wrote, not who.
json comment_resource(json comment, bool for_customer) {
  if (for_customer && comment.value("userRole", "") != "Customer") comment["userId"] = nullptr;
  return comment;
}

// Answers `read(snapshot, live namespace)` for the complaint the path names, once the caller is
// known to see it.
template <class Read>
Response on_visible(const ComplaintRoutes& routes, const Request& request, Read read) {
  if (auto problems = QueryReader(request).finish(); !problems.empty()) {
    return validation_failed(problems);
  }
  const auto id = complaint_in_path(request);
  return answer_query(routes.read_your_writes, routes.store, request,
                      [&](const Snapshot& snapshot) {
                        auto doc = visible_complaint(routes, snapshot, request, id);
                        if (!doc) return error_response(doc.error());
                        if (!*doc) return no_such_complaint();
                        auto ns = live(snapshot, routes.model);
                        if (!ns) return error_response(ns.error());
                        return read(snapshot, *ns, id, **doc);
                      });
}

// ---- queries --------------------------------------------------------------------------------

Response get_complaint(const ComplaintRoutes& routes, const Request& request) {
  return on_visible(
      routes, request,
      [&](const Snapshot&, const projections::Namespace&, const ComplaintId&, const json& doc) {
        auto response = success(200, "complaint", complaint_resource(doc, by_customer(request)));
        response.headers.emplace_back("ETag", etag(doc.value("version", std::uint64_t{0})));
        return response;
      });
}

Response history(const ComplaintRoutes& routes, const Request& request) {
  return on_visible(
      routes, request,
      [&](const Snapshot& snapshot, const projections::Namespace& ns, const ComplaintId& id,
          const json&) {
        auto entries = routes.model.history(snapshot, ns, id);
        if (!entries) return error_response(entries.error());
        json out = json::array();
        for (auto& entry : *entries) {
          // Comments have their own route, which keeps internal ones from
          // customers; here a customer would learn that they exist.
          if (by_customer(request) && entry.value("event", "") == "complaint.comment-added") {
            continue;
          }
          if (by_customer(request)) entry.erase("assignedTo");
          out.push_back(history_entry(std::move(entry), by_customer(request)));
        }
        return success(200, "complaint history",
                       {{"complaintId", id}, {"history", std::move(out)}});
      });
}

Response comments(const ComplaintRoutes& routes, const Request& request) {
  return on_visible(routes, request,
                    [&](const Snapshot& snapshot, const projections::Namespace& ns,
                        const ComplaintId& id, const json&) {
                      auto found = routes.model.comments(snapshot, ns, id, !by_customer(request));
                      if (!found) return error_response(found.error());
                      json out = json::array();
                      for (auto& comment : *found) {
                        out.push_back(comment_resource(std::move(comment), by_customer(request)));
                      }
                      return success(200, "complaint comments",
                                     {{"complaintId", id}, {"comments", std::move(out)}});
                    });
}

// A listing as a request asks for it.
struct ComplaintListing {
  projections::ComplaintQuery query;
  Paging paging;
};

// The query parameter `name` when it is one of `E`'s wire names (`names` lists them).
template <class E>
std::optional<std::string> read_enum_query(QueryReader& query, std::string_view name,
                                           const char* names) {
  const auto text = query.string(name, 30);
  if (text && !enum_from_string<E>(*text)) {
    query.fail(name, std::string("must be one of ") + names);
    return std::nullopt;
  }
  return text;
}

// Reads a listing's parameters. A customer lists its own complaints only; the customer in the
// path (GET /api/v1/customers/:customerId/complaints) is the one listed.
ComplaintListing read_listing(const Request& request, std::vector<FieldError>& problems) {
  QueryReader query(request);
  ComplaintListing out;
  out.query.status = read_enum_query<complaint::Status>(query, "status", kStatuses);
  out.query.category = read_enum_query<complaint::Category>(query, "category", kCategories);
  const auto staff_only = [&](std::string_view name) -> std::optional<std::string> {
    auto value = query.string(name, 64);
    if (value && by_customer(request)) {
      query.fail(name, "only administrators filter by it");
      return std::nullopt;
    }
    return value;
  };
  if (const auto assignee = staff_only("assignedTo")) out.query.assignee = UserId(*assignee);
  if (const auto owner = request.param("customerId")) {
    out.query.customer = CustomerId(std::string(*owner));
  } else if (const auto customer = staff_only("customerId")) {
    out.query.customer = CustomerId(*customer);
  }
  if (by_customer(request)) out.query.customer = CustomerId(request.caller->id);
  out.query.created_after = read_instant(query, "createdAfter");
  out.query.created_before = read_instant(query, "createdBefore");
  out.paging = read_paging(query, kMaxComplaintListLimit);
  out.query.page = out.paging.request;
  problems = query.finish();
  return out;
}

Response list(const ComplaintRoutes& routes, const Request& request) {
  std::vector<FieldError> problems;
  const auto wanted = read_listing(request, problems);
  if (!problems.empty()) return validation_failed(problems);
  return answer_query(
      routes.read_your_writes, routes.store, request, [&](const Snapshot& snapshot) {
        auto ns = live(snapshot, routes.model);
        if (!ns) return error_response(ns.error());
        auto query = wanted.query;
        return listing_answer(
            wanted.paging,
            [&](std::string after) {
              query.page.after = std::move(after);
              return routes.model.list(snapshot, *ns, query);
            },
            &projections::ComplaintPage::complaints, "complaints",
            [&](const json& doc) { return complaint_resource(doc, by_customer(request)); });
      });
}

// ---- changes --------------------------------------------------------------------------------

// The customer whose complaint `id` is: the caller, for a customer (the command refuses
// another's complaint as unknown); for an administrator, the complaint's customer as the write
// model knows it.
Result<CustomerId> owner_of(const ComplaintRoutes& routes, const Request& request,
                            const ComplaintId& id) {
  if (by_customer(request)) return CustomerId(request.caller->id);
  return routes.complaints.customer_of(id);
}

// Runs `command` on the complaint the path names, as the caller, if the complaint's version is
// still the one the request's If-Match names; answers the complaint after it.
Response change(const ComplaintRoutes& routes, const Request& request,
                const complaint::Command& command, std::string_view message) {
  const auto id = complaint_in_path(request);
  const auto expected = if_match(request);
  if (!expected) return error_response(expected.error());
  const auto customer = owner_of(routes, request, id);
  if (!customer) return error_response(customer.error());
  auto outcome = routes.complaints.execute(*customer, id, command, request.actor(), *expected);
  if (!outcome) return error_response(outcome.error());
  return changed_complaint(routes, request, id, *outcome, 200, message);
}

std::optional<std::string> read_text(RequestReader& body, std::string_view name,
                                     std::size_t max_length,
                                     Presence presence = Presence::required) {
  return body.string(name, presence, max_length);
}

Response change_status(const ComplaintRoutes& routes, const Request& request) {
  RequestReader body(request.body);
  const auto status = body.string("status", Presence::required, 30);
  auto notes = read_text(body, "resolutionNotes", 2000, Presence::optional);
  auto reason = read_text(body, "reason", 500, Presence::optional);
  std::optional<complaint::Command> command;
  if (status) {
    switch (enum_from_string<complaint::Status>(*status).value_or(complaint::Status::Open)) {
      case complaint::Status::InProgress:
        command = complaint::ChangeStatus{complaint::Status::InProgress};
        break;
      case complaint::Status::Closed:
        command = complaint::ChangeStatus{complaint::Status::Closed};
        break;
      case complaint::Status::Resolved:
        if (!notes) body.fail("resolutionNotes", "is required to resolve a complaint");
        command = complaint::Resolve{notes.value_or("")};
        break;
      case complaint::Status::Open:
        if (*status != "Open") {
          body.fail("status", std::string("must be one of ") + kStatuses);
        } else if (!reason) {
          body.fail("reason", "is required to reopen a complaint");
        }
        command = complaint::Reopen{reason.value_or("")};
        break;
    }
  }
  if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
  return change(routes, request, *command, "complaint status changed");
}

Response assign(const ComplaintRoutes& routes, const Request& request) {
  RequestReader body(request.body);
  const auto assignee = body.string("assignedTo", Presence::required, 64);
  if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
  return change(routes, request, complaint::Assign{UserId(*assignee), false}, "complaint assigned");
}

Response resolve(const ComplaintRoutes& routes, const Request& request) {
  RequestReader body(request.body);
  auto notes = read_text(body, "resolutionNotes", 2000);
  if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
  return change(routes, request, complaint::Resolve{std::move(*notes)}, "complaint resolved");
}

Response reopen(const ComplaintRoutes& routes, const Request& request) {
  RequestReader body(request.body);
  auto reason = read_text(body, "reason", 500);
  if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
  return change(routes, request, complaint::Reopen{std::move(*reason)}, "complaint reopened");
}

Response add_comment(const ComplaintRoutes& routes, const Request& request) {
  RequestReader body(request.body);
  auto text = read_text(body, "comment", 2000);
  const auto internal = body.boolean("isInternal", Presence::optional).value_or(false);
  if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
  const auto id = complaint_in_path(request);
  const auto expected = if_match(request);
  if (!expected) return error_response(expected.error());
  const auto customer = owner_of(routes, request, id);
  if (!customer) return error_response(customer.error());
  auto commented = routes.complaints.comment(*customer, id, std::move(*text), internal,
                                             request.actor(), *expected);
  if (!commented) return error_response(commented.error());
  const auto& comment_id = commented->comment_id;
  return changed_answer(
      routes.read_your_writes, routes.store, commented->outcome, 201, "comment added",
      [&](const Snapshot& snapshot) -> Result<std::optional<json>> {
        auto ns = live(snapshot, routes.model);
        if (!ns) return ns.error();
        auto found = routes.model.comments(snapshot, *ns, id, /*with_internal=*/true);
        if (!found) return found.error();
        for (auto& comment : *found) {
          if (comment["commentId"] == comment_id.str()) {
            return std::optional<json>(comment_resource(std::move(comment), by_customer(request)));
          }
        }
        return std::optional<json>();
      },
      json{{"commentId", comment_id}, {"complaintId", id}});
}

// ---- raising --------------------------------------------------------------------------------

Response raise_once(const ComplaintRoutes& routes, const Request& request,
                    const Idempotency::Retry& retry) {
  RequestReader body(request.body);
  commands::RaiseComplaint raise;
  raise.customer_id = CustomerId(request.caller->id);
  if (const auto category = body.string("category", Presence::required, 30)) {
    if (const auto parsed = enum_from_string<complaint::Category>(*category)) {
      raise.category = *parsed;
    } else {
      body.fail("category", std::string("must be one of ") + kCategories);
    }
  }
  raise.subject = read_text(body, "subject", 200).value_or("");
  raise.description = read_text(body, "description", 5000).value_or("");
  if (auto order = body.string("orderId", Presence::optional, 32)) {
    raise.order_id = OrderId(std::move(*order));
  }
  if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
  // With an Idempotency-Key, the id is kept with the key before the complaint is appended: a
  // retry after an unknown outcome registers under the same id, or answers the complaint if it
  // was registered.
  if (const auto& earlier = retry.earlier()) raise.earlier_id = ComplaintId(*earlier);
  raise.on_identified = [&retry](const ComplaintId& id) { return retry.set_aside(id.str()); };
  auto raised = routes.complaints.raise(raise, request.actor());
  if (!raised) return error_response(raised.error());
  auto response = changed_complaint(routes, request, raised->complaint_id, raised->outcome, 201,
                                    "complaint registered");
  response.headers.emplace_back("Location", "/api/v1/complaints/" + raised->complaint_id.str());
  return response;
}

Response raise(const ComplaintRoutes& routes, const Request& request) {
  return routes.idempotency.run(
      request, [&](const Idempotency::Retry& retry) { return raise_once(routes, request, retry); });
}

constexpr TableRoute<ComplaintRoutes> kRoutes[] = {
    {Method::Post, "/api/v1/complaints", raise, Body::json, Access::customer},
    {Method::Get, "/api/v1/complaints", list, Body::none, Access::signed_in},
    {Method::Get, "/api/v1/complaints/filter", list, Body::none, Access::signed_in},
    {Method::Get, "/api/v1/complaints/:complaintId", get_complaint, Body::none, Access::signed_in},
    {Method::Get, "/api/v1/complaints/:complaintId/history", history, Body::none,
     Access::signed_in},
    {Method::Get, "/api/v1/complaints/:complaintId/comments", comments, Body::none,
     Access::signed_in},
    {Method::Post, "/api/v1/complaints/:complaintId/comments", add_comment, Body::json,
     Access::signed_in},
    {Method::Patch, "/api/v1/complaints/:complaintId/status", change_status, Body::json,
     Access::signed_in},
    {Method::Post, "/api/v1/complaints/:complaintId/reopen", reopen, Body::json, Access::signed_in},
    {Method::Patch, "/api/v1/complaints/:complaintId/assign", assign, Body::json,
     Access::administrator},
    {Method::Patch, "/api/v1/complaints/:complaintId/resolve", resolve, Body::json,
     Access::administrator},
    {Method::Get, "/api/v1/customers/:customerId/complaints", list, Body::none,
     Access::administrator},
};

}  // namespace

json complaint_resource(const json& doc, bool for_customer) {
  json out;
  for (const char* name : {"complaintId", "customerId", "orderId", "category", "subject",
                           "description", "status", "assignedTo", "resolutionNotes", "resolvedAt",
                           "closedAt", "reopenedCount", "createdAt", "updatedAt"}) {
    out[name] = doc.value(name, json());
  }
  if (for_customer) out.erase("assignedTo");
  return out;
}

Result<void> add_complaint_routes(Router& router, const ComplaintRoutes& routes) {
  return add_route_table(router, routes, kRoutes);
}

}  // namespace clientele::api
