#pragma once
// The complaints read model (DESIGN.md §5): each complaint by id with its comments and its
// history, and the indexes customers and administrators list complaints by. Pages are read by
// seeking on index keys (read_page()), never by skipping rows.
//
// Layout of its namespace (every key belongs to the complaint's customer, so to one partition; no
// key holds a personal value — ids, statuses, categories and times only):
//   "m/<complaint id>"                          the complaint document: complaintId, customerId,
//                                               orderId, category, subject, description, status,
//                                               assignedTo, resolutionNotes, resolvedAt,
//                                               closedAt, reopenedCount, createdAt, updatedAt,
//                                               created (ms), version
//   "n/<complaint id>/<seq: 8 bytes>"           one comment: commentId, userId, userRole,
//                                               comment, isInternal, createdAt
//   "h/<complaint id>/<seq: 8 bytes>"           one history entry per event of the complaint:
//                                               event, from, to (statuses), notes (a resolution's
//                                               notes, a reopening's reason), assignedTo,
//                                               actor {id, role}, at
//   "c/<customer id>/<created: 8 bytes><id>"    the customer's complaints by creation time
//   "s/<dimension>/<created: 8 bytes><id>"      every complaint ("*"), and those of each
//                                               "status:<status>", "category:<category>" and
//                                               "assignee:<user id>", by creation time
// Every index entry's value holds the complaint's status, category, assignee and customer, so
// that a listing by one dimension checks the others on the index alone.
//
// On `customer.erased` every personal value of the customer's complaints — subject, description,
// resolution notes, comments, and the history's notes — leaves the rows; ids, categories,
// statuses, assignees and times stay.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "projections/read_model.hpp"

namespace clientele::projections {

struct ComplaintQuery {
  std::optional<std::string> status;        // a status's wire name, e.g. "In Progress"
  std::optional<std::string> category;      // a category's wire name, e.g. "Delivery Issue"
  std::optional<UserId> assignee;           // only the complaints assigned to this administrator
  std::optional<CustomerId> customer;       // only this customer's complaints
  std::optional<Timestamp> created_after;   // inclusive
  std::optional<Timestamp> created_before;  // exclusive
  PageRequest page;                         // by creation time, newest first unless ascending
};

struct ComplaintPage {
  std::vector<nlohmann::json> complaints;  // complaint documents, in the order asked for
  std::string next;                        // the cursor of the next page; empty after the last
};

class Complaints final : public ReadModel {
 public:
  std::string_view name() const override { return "complaints"; }
  int version() const override { return 1; }
  Result<void> evolve(const Folded& event, Rows& rows) const override;

  // Queries on `snapshot`, in the namespace `ns` (the live version of this model). None checks
  // who asks: the caller compares the documents' customerId with the caller, and asks for
  // internal comments only for administrators.

  // The complaint document, or nullopt when no such complaint was registered.
  Result<std::optional<nlohmann::json>> find(const Snapshot& snapshot, const Namespace& ns,
                                             const ComplaintId& complaint) const;
  // The complaint's comments, oldest first; internal ones only when `with_internal`.
  Result<std::vector<nlohmann::json>> comments(const Snapshot& snapshot, const Namespace& ns,
                                               const ComplaintId& complaint,
                                               bool with_internal) const;
  // The complaint's history entries, oldest first (empty for an unknown complaint).
  Result<std::vector<nlohmann::json>> history(const Snapshot& snapshot, const Namespace& ns,
                                              const ComplaintId& complaint) const;
  // One page of the complaints `query` selects. errc::invalid naming "after" for a cursor this
  // model did not hand out for the same index.
  Result<ComplaintPage> list(const Snapshot& snapshot, const Namespace& ns,
                             const ComplaintQuery& query) const;
};

}  // namespace clientele::projections
