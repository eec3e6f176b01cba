#pragma once
// The complaint's application service (DESIGN.md §4). A complaint's events are in its own stream
// ("complaint-CMP_…") and on its customer's partition (keyed by the customer id, which each
// envelope carries), so every command of a complaint runs on the strand of its customer, one at a
// time with the customer's own commands and orders. Raising a complaint about an order checks on
// that strand that the order is the customer's.
//
// Who may do what. The routes refuse the administrator routes first (403); this is the rule
// itself, for every caller of the service:
//   - a customer, on its own complaints: raise, comment (never internally), close a resolved
//     one, reopen a resolved or closed one;
//   - administrators and the system: all of it, on any customer's complaint.
// A customer's command on another customer's complaint is answered as for an unknown complaint.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "commands/administrators.hpp"
#include "commands/command_bus.hpp"
#include "domain/complaint.hpp"

namespace clientele::commands {

// A complaint as the client raises it; its id is chosen by the service.
struct RaiseComplaint {
  CustomerId customer_id;
  complaint::Category category = complaint::Category::Other;
  std::string subject;
  std::string description;
  std::optional<OrderId> order_id;  // must be an order of the customer
  // For a retry of a raise whose outcome is unknown: the id its earlier attempt was given. When
  // that attempt's complaint was registered, raise() answers it (appending nothing); else the
  // complaint is registered under this id.
  std::optional<ComplaintId> earlier_id;
  // Called with the complaint's id once it is chosen, before the complaint is appended, to keep
  // the id for a retry; when it fails, nothing is registered.
  std::function<Result<void>(const ComplaintId&)> on_identified;
};

struct Raised {
  ComplaintId complaint_id;
  Outcome outcome;  // no positions when an earlier attempt's complaint is answered again
};

struct Commented {
  CommentId comment_id;
  Outcome outcome;
};

class ComplaintCommands {
 public:
  using Clock = std::function<Timestamp()>;
  using NewComplaintId = std::function<ComplaintId()>;
  using NewCommentId = std::function<CommentId()>;

  // `bus` and `administrators` must outlive the service. Thread-safe.
  ComplaintCommands(CommandBus& bus, AdministratorStore& administrators, Clock clock,
                    NewComplaintId new_complaint_id, NewCommentId new_comment_id);

  // Registers a complaint of `request.customer_id` under a fresh id (or `request.earlier_id`).
  // errc::not_found (field "customerId") for an unknown customer and for a customer `actor`
  // raising one for another; errc::conflict (field "customerId") for an erased, erasing or
  // Inactive (deleted) customer; errc::invalid (field "orderId") when the order is not one of the
  // customer's; the complaint's rules otherwise.
  Result<Raised> raise(const RaiseComplaint& request, const Actor& actor,
                       const Origin& origin = {});

  // Adds a comment under a fresh id. Internal comments are for administrators alone
  // (errc::forbidden, field "isInternal"). Errors as execute().
  Result<Commented> comment(const CustomerId& customer, const ComplaintId& complaint,
                            std::string text, bool is_internal, const Actor& actor,
                            std::optional<std::uint64_t> expected_version = {},
                            const Origin& origin = {});

  // Runs `command` (Assign, ChangeStatus, Resolve or Reopen) against the complaint's current
  // state. An assignee must be an administrator (the service looks it up: errc::invalid, field
  // "assignedTo"). errc::not_found (field "complaintId") when there is no such complaint, or it
  // is not `customer`'s, or `actor` is another customer; errc::forbidden for what a customer may
  // not do (see above); errc::conflict (field "customerId") once the customer is erased or being
  // erased: its complaints take no more events; errc::conflict (field "If-Match") when
  // `expected_version` is stale.
  Result<Outcome> execute(const CustomerId& customer, const ComplaintId& complaint,
                          const complaint::Command& command, const Actor& actor,
                          std::optional<std::uint64_t> expected_version = {},
                          const Origin& origin = {});

  // The customer whose complaint `complaint` is, as the write model knows it (at once, unlike the
  // read models): for administrators, who address complaints by id alone. errc::not_found (field
  // "complaintId") when no such complaint was registered.
  Result<CustomerId> customer_of(const ComplaintId& complaint);

  // The complaint's current state and version; errc::not_found as for execute().
  Result<Loaded<complaint::State>> load(const CustomerId& customer, const ComplaintId& complaint,
                                        const Actor& actor);

 private:
  // Runs `decide(strand, loaded complaint)` on the customer's strand once the complaint is known
  // to be the customer's, visible to `actor`, and open to more events.
  template <class Work>
  auto on_complaint(const CustomerId& customer, const ComplaintId& complaint, const Actor& actor,
                    Work work);

  CommandBus& bus_;
  AdministratorStore& administrators_;
  Clock clock_;
  NewComplaintId new_complaint_id_;
  NewCommentId new_comment_id_;
};

}  // namespace clientele::commands
