#pragma once
// The address book read model (DESIGN.md §5): each customer's addresses, in the order they were
// added, with the default one marked.
//
// Layout of its namespace:
//   "a/<customer id>/<address id>"  the address document: addressId, alias, kind, recipientName,
//                                   phone, line1, line2, city, state, postalCode, country,
//                                   isDefault, addedAt, updatedAt (of the last event that
//                                   changed it, isDefault included) and `added` (its log
//                                   offset, for order)
//
// On `customer.erased` every address of the customer is removed.

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "projections/read_model.hpp"

namespace clientele::projections {

class AddressBook final : public ReadModel {
 public:
  std::string_view name() const override { return "address_book"; }
  int version() const override { return 2; }  // 2: updatedAt
  Result<void> evolve(const Folded& event, Rows& rows) const override;

  // The customer's addresses in the order they were added (empty when none), on `snapshot` in
  // the namespace `ns` (the live version of this model).
  Result<std::vector<nlohmann::json>> addresses(const Snapshot& snapshot, const Namespace& ns,
                                                const CustomerId& customer) const;
};

}  // namespace clientele::projections
