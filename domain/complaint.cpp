#include "domain/complaint.hpp"

#include <algorithm>
#include <string>

#include "domain/validation.hpp"

namespace clientele::complaint {
namespace {

using Events = std::vector<Event>;
using Decision = Result<Events>;

Error invalid(std::string field, std::string message) {
  return make_error(errc::invalid, std::move(field), std::move(message));
}

Error conflict(std::string field, std::string message) {
  return make_error(errc::conflict, std::move(field), std::move(message));
}

// Succeeds iff the complaint has been registered.
Result<void> require_registered(const State& s) {
  if (!s.registered) return make_error(errc::not_found, "", "complaint not found");
  return success();
}

// Succeeds iff the complaint still takes comments and assignments.
Result<void> require_not_closed(const State& s) {
  if (s.status == Status::Closed) return conflict("status", "the complaint is closed");
  return success();
}

// ---- register -------------------------------------------------------------------------------

Result<void> check_register(const Register& c, const Context& ctx) {
  if (c.complaint_id.empty()) return invalid("complaintId", "is required");
  if (c.customer_id.empty()) return invalid("customerId", "is required");
  if (auto r = check_text("subject", c.subject, 5, 200); !r) return r;
  if (auto r = check_text("description", c.description, 10, 5000, true); !r) return r;
  if (ctx.actor.role == Role::Customer && ctx.actor.id.str() != c.customer_id.str()) {
    return make_error(errc::forbidden, "customerId",
                      "customers may only complain on their own behalf");
  }
  if (c.order_id && !c.order_belongs_to_customer) {
    return invalid("orderId", "must be an order of the customer");
  }
  return success();
}

Decision handle(const Register& c, const State& s, const Context& ctx) {
  if (auto r = check_register(c, ctx); !r) return r.error();
  if (s.registered) return conflict("", "complaint already exists");
  return Events{
      Registered{c.complaint_id, c.customer_id, c.category, c.subject, c.description, c.order_id}};
}

// ---- comments and assignment ----------------------------------------------------------------

Decision handle(const AddComment& c, const State& s, const Context& ctx) {
  if (c.comment_id.empty()) return invalid("commentId", "is required");
  if (auto r = check_text("comment", c.comment, 1, 2000, true); !r) return r.error();
  if (c.is_internal && ctx.actor.role != Role::Administrator) {
    return make_error(errc::forbidden, "isInternal",
                      "only administrators may write internal comments");
  }
  if (auto r = require_registered(s); !r) return r.error();
  if (auto r = require_not_closed(s); !r) return r.error();
  if (std::find(s.comments.begin(), s.comments.end(), c.comment_id) != s.comments.end()) {
    return conflict("commentId", "a comment with this id already exists");
  }
  return Events{CommentAdded{c.comment_id, ctx.actor.id, ctx.actor.role, c.comment, c.is_internal}};
}

Decision handle(const Assign& c, const State& s, const Context&) {
  if (c.assignee.empty()) return invalid("assignedTo", "is required");
  if (!c.assignee_is_administrator) return invalid("assignedTo", "must be an administrator");
  if (auto r = require_registered(s); !r) return r.error();
  if (auto r = require_not_closed(s); !r) return r.error();
  if (s.assignee == c.assignee) return Events{};
  return Events{Assigned{c.assignee}};
}

// ---- status ---------------------------------------------------------------------------------

// Open -> In Progress; idempotent once In Progress.
Decision start_progress(const State& s) {
  if (s.status == Status::InProgress) return Events{};
  if (s.status != Status::Open) return conflict("status", "only an open complaint can start");
  return Events{StatusChanged{Status::Open, Status::InProgress}};
}

// Resolved -> Closed; idempotent once Closed.
Decision close_complaint(const State& s) {
  if (s.status == Status::Closed) return Events{};
  if (s.status != Status::Resolved) return conflict("status", "only a resolved complaint closes");
  return Events{Closed{}};
}

Decision handle(const ChangeStatus& c, const State& s, const Context&) {
  if (c.status == Status::Resolved) {
    return invalid("status", "resolving needs resolution notes: use Resolve");
  }
  if (c.status == Status::Open) return invalid("status", "reopening needs a reason: use Reopen");
  if (auto r = require_registered(s); !r) return r.error();
  return c.status == Status::InProgress ? start_progress(s) : close_complaint(s);
}

Decision handle(const Resolve& c, const State& s, const Context&) {
  if (auto r = check_text("resolutionNotes", c.resolution_notes, 1, 2000, true); !r) {
    return r.error();
  }
  if (auto r = require_registered(s); !r) return r.error();
  if (s.status != Status::Open && s.status != Status::InProgress) {
    return conflict("status", "only an open or in-progress complaint can be resolved");
  }
  return Events{Resolved{c.resolution_notes}};
}

Decision handle(const Reopen& c, const State& s, const Context&) {
  if (auto r = check_text("reason", c.reason, 1, 500); !r) return r.error();
  if (auto r = require_registered(s); !r) return r.error();
  if (s.status != Status::Resolved && s.status != Status::Closed) {
    return conflict("status", "only a resolved or closed complaint can be reopened");
  }
  return Events{Reopened{c.reason}};
}

// ---- evolve ---------------------------------------------------------------------------------

State apply(State s, const Registered& e) {
  s.registered = true;
  s.id = e.complaint_id;
  s.customer_id = e.customer_id;
  s.status = Status::Open;
  return s;
}

State apply(State s, const CommentAdded& e) {
  s.comments.push_back(e.comment_id);
  return s;
}

State apply(State s, const Assigned& e) {
  s.assignee = e.assignee;
  return s;
}

State apply(State s, const StatusChanged& e) {
  s.status = e.to;
  return s;
}

State apply(State s, const Resolved&) {
  s.status = Status::Resolved;
  return s;
}

State apply(State s, const Closed&) {
  s.status = Status::Closed;
  return s;
}

State apply(State s, const Reopened&) {
  s.status = Status::Open;
  ++s.reopened_count;
  return s;
}

}  // namespace

Result<std::vector<Event>> decide(const Command& command, const State& state, const Context& ctx) {
  return std::visit([&](const auto& c) { return handle(c, state, ctx); }, command);
}

State evolve(State state, const Event& event) {
  return std::visit([&](const auto& e) { return apply(std::move(state), e); }, event);
}

}  // namespace clientele::complaint
