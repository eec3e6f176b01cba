#pragma once
// The Complaint aggregate: registration, comments, assignment, resolution, reopening.
// A pure decider. Stream: one per complaint; its events carry the customer's id in the envelope.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "domain/context.hpp"
#include "domain/enums.hpp"
#include "domain/ids.hpp"
#include "domain/result.hpp"
#include "domain/time.hpp"

namespace clientele::complaint {

enum class Category { ProductQuality, DeliveryIssue, CustomerService, PaymentIssue, Other };
enum class Status { Open, InProgress, Resolved, Closed };

// ---- commands -------------------------------------------------------------------------------

struct Register {
  ComplaintId complaint_id;  // chosen by the command layer
  CustomerId customer_id;
  Category category = Category::Other;
  std::string subject;      // 5..200
  std::string description;  // 10..5000
  std::optional<OrderId> order_id;
  // Looked up by the command layer: whether `order_id` is an order of `customer_id`.
  bool order_belongs_to_customer = false;
};
struct AddComment {
  CommentId comment_id;  // chosen by the command layer
  std::string comment;   // 1..2000
  bool is_internal = false;
};
struct Assign {
  UserId assignee;
  // Looked up by the command layer: whether `assignee` is an administrator.
  bool assignee_is_administrator = false;
};
// Open -> In Progress, and Resolved -> Closed. Resolving needs notes (Resolve); reopening
// needs a reason (Reopen).
struct ChangeStatus {
  Status status = Status::InProgress;
};
struct Resolve {
  std::string resolution_notes;  // 1..2000
};
struct Reopen {
  std::string reason;  // 1..500
};

using Command = std::variant<Register, AddComment, Assign, ChangeStatus, Resolve, Reopen>;

// ---- events ---------------------------------------------------------------------------------

struct Registered {
  ComplaintId complaint_id;
  CustomerId customer_id;
  Category category = Category::Other;
  std::string subject;
  std::string description;
  std::optional<OrderId> order_id;

  bool operator==(const Registered&) const = default;
};
struct CommentAdded {
  CommentId comment_id;
  UserId author;
  Role author_role = Role::Customer;
  std::string comment;
  bool is_internal = false;

  bool operator==(const CommentAdded&) const = default;
};
struct Assigned {
  UserId assignee;
  bool operator==(const Assigned&) const = default;
};
struct StatusChanged {
  Status from = Status::Open;
  Status to = Status::InProgress;
  bool operator==(const StatusChanged&) const = default;
};
struct Resolved {
  std::string resolution_notes;
  bool operator==(const Resolved&) const = default;
};
struct Reopened {
  std::string reason;
  bool operator==(const Reopened&) const = default;
};
struct Closed {
  bool operator==(const Closed&) const = default;
};

using Event =
    std::variant<Registered, CommentAdded, Assigned, StatusChanged, Resolved, Reopened, Closed>;

// ---- state and decider ----------------------------------------------------------------------

struct State {
  bool registered = false;
  ComplaintId id;
  CustomerId customer_id;
  Status status = Status::Open;
  std::optional<UserId> assignee;
  std::uint32_t reopened_count = 0;
  std::vector<CommentId> comments;

  bool operator==(const State&) const = default;
};

// Returns the events `command` causes in `state` (possibly none), or the rule it breaks. Pure.
Result<std::vector<Event>> decide(const Command& command, const State& state, const Context& ctx);

// Applies one event; holds no rule. Pure.
State evolve(State state, const Event& event);

}  // namespace clientele::complaint

namespace clientele {

template <>
struct EnumNames<complaint::Category> {
  static constexpr std::array<std::pair<complaint::Category, std::string_view>, 5> values{{
      {complaint::Category::ProductQuality, "Product Quality"},
      {complaint::Category::DeliveryIssue, "Delivery Issue"},
      {complaint::Category::CustomerService, "Customer Service"},
      {complaint::Category::PaymentIssue, "Payment Issue"},
      {complaint::Category::Other, "Other"},
  }};
};
template <>
struct EnumNames<complaint::Status> {
  static constexpr std::array<std::pair<complaint::Status, std::string_view>, 4> values{{
      {complaint::Status::Open, "Open"},
      {complaint::Status::InProgress, "In Progress"},
      {complaint::Status::Resolved, "Resolved"},
      {complaint::Status::Closed, "Closed"},
  }};
};

}  // namespace clientele
