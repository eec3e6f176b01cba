#pragma once
// The orders read model (DESIGN.md §5): each order by id with its status history, and the indexes
// customers and administrators list and search orders by. Pages are read by seeking on index keys
// (read_page()), never by skipping rows.
//
// Layout of its namespace (every key belongs to the order's customer, so to one partition; no key
// holds a personal value — ids, statuses, times and product-name words only):
//   "o/<order id>"                           the order document: orderId, customerId, items,
//                                            currency, totalAmount, status, returnStatus,
//                                            deliveryAddress, cancellationReason, returnReason,
//                                            returnNotes, placedAt, updatedAt, deliveredAt, version
//   "h/<order id>/<seq: 8 bytes>"            one history entry per event of the order: event,
//                                            from, to (statuses), notes, actor {id, role}, at
//   "c/<customer id>/<placed: 8 bytes><id>"  the customer's orders by placement time; the value
//                                            holds the order's status
//   "s/<dimension>/<placed: 8 bytes><id>"    every order ("*") and the orders of each status
//                                            ("status:<status>") by placement time; the value holds
//                                            the status and the customer id
//   "p/<word>/<order id>"                    a word of a product name of the order (lower case)
//
// Product names are not personal (events/schemas.hpp), so search uses a word index: a query word
// matches the words it is a prefix of. On `customer.erased` every personal value of the
// customer's orders (delivery address but its country, reasons, notes) leaves the documents and
// the history; ids, amounts, currency, statuses and times stay.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "projections/read_model.hpp"

namespace clientele::projections {

struct OrderQuery {
  std::optional<std::string> status;       // a status's wire name, e.g. "Return Requested"
  std::optional<CustomerId> customer;      // only this customer's orders
  std::optional<Timestamp> placed_after;   // inclusive
  std::optional<Timestamp> placed_before;  // exclusive
  PageRequest page;                        // by placement time, newest first unless ascending
};

struct OrderPage {
  std::vector<nlohmann::json> orders;  // order documents, in the order asked for
  std::string next;                    // the cursor of the next page; empty after the last
};

class Orders final : public ReadModel {
 public:
  std::string_view name() const override { return "orders"; }
  int version() const override { return 1; }
  Result<void> evolve(const Folded& event, Rows& rows) const override;

  // Queries on `snapshot`, in the namespace `ns` (the live version of this model). None checks
  // who asks: the caller compares the documents' customerId with the caller.

  // The order document, or nullopt when no such order was placed.
  Result<std::optional<nlohmann::json>> find(const Snapshot& snapshot, const Namespace& ns,
                                             const OrderId& order) const;
  // The order's history entries, oldest first (empty for an unknown order).
  Result<std::vector<nlohmann::json>> history(const Snapshot& snapshot, const Namespace& ns,
                                              const OrderId& order) const;
  // One page of the orders `query` selects. errc::invalid naming "after" for a cursor this model
  // did not hand out for the same status and customer.
  Result<OrderPage> list(const Snapshot& snapshot, const Namespace& ns,
                         const OrderQuery& query) const;
  // The ids of `customer`'s active orders — placed and neither delivered, cancelled nor returned
  // (a return requested is active until it is decided) — oldest first.
  Result<std::vector<OrderId>> active(const Snapshot& snapshot, const Namespace& ns,
                                      const CustomerId& customer) const;
  // At most `limit` orders, of `customer` only when given: those whose id starts with `text` when
  // it starts with "ORD-" (any case), highest id first; else those with product names in which
  // every word of `text` begins a word, by the word the longest of them begins, highest id first.
  Result<std::vector<nlohmann::json>> search(const Snapshot& snapshot, const Namespace& ns,
                                             std::string_view text,
                                             const std::optional<CustomerId>& customer,
                                             std::size_t limit) const;
};

}  // namespace clientele::projections
