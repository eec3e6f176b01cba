#pragma once
// Strong types for identifiers and versions (STYLE.md), so that arguments cannot be swapped
// silently. Ids are opaque strings, never derived from personal data.

#include <compare>
#include <cstdint>
#include <string>
#include <utility>

namespace clientele {

template <class Tag>
class Id {
 public:
  Id() = default;
  explicit Id(std::string value) : value_(std::move(value)) {}

  const std::string& str() const { return value_; }
  bool empty() const { return value_.empty(); }

  auto operator<=>(const Id&) const = default;

 private:
  std::string value_;  // the id as it appears on the wire
};

using CustomerId = Id<struct CustomerIdTag>;    // "CUST_" + 8 hex
using AddressId = Id<struct AddressIdTag>;      // opaque, unique within its customer
using OrderId = Id<struct OrderIdTag>;          // "ORD-YYYY-NNNNNN"
using ComplaintId = Id<struct ComplaintIdTag>;  // opaque
using CommentId = Id<struct CommentIdTag>;      // opaque, unique within its complaint
using UserId = Id<struct UserIdTag>;            // who acted: a customer id or an administrator id
using ProductId = Id<struct ProductIdTag>;      // the catalogue's id, not ours

// The version of one aggregate stream: the number of events in it (0 = no events yet).
struct StreamVersion {
  std::uint64_t value = 0;
  auto operator<=>(const StreamVersion&) const = default;
};

}  // namespace clientele
