#pragma once
// The customer profile read model (DESIGN.md §5): one document per customer, and lookups by email
// (through the blind index) and by username. Keys hold no personal data: the email and the
// username appear in them only as keyed hashes under the pepper.
//
// Layout of its namespace:
//   "c/<customer id>"           the profile document (camelCase fields, as the API shows them)
//   "e/<blind index of email>"  the customer id
//   "u/<keyed hash of username>" the customer id
//
// On `customer.erased` the document keeps only what is anonymous (id, status "Erased", type,
// country, dates, verification flags) and both lookups are removed.

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "events/crypto.hpp"
#include "projections/read_model.hpp"

namespace clientele::projections {

class CustomerProfiles final : public ReadModel {
 public:
  // `pepper` is the blind-index pepper (DESIGN.md §3).
  explicit CustomerProfiles(events::SecretKey pepper) : pepper_(std::move(pepper)) {}

  std::string_view name() const override { return "customer_profile"; }
  int version() const override { return 1; }
  Result<void> evolve(const Folded& event, Rows& rows) const override;

  // Queries on `snapshot`, in the namespace `ns` (the live version of this model).
  // The customer's profile, or nullopt when no such customer was registered.
  Result<std::optional<nlohmann::json>> find(const Snapshot& snapshot, const Namespace& ns,
                                             const CustomerId& id) const;
  // The customer whose email is `email` (any case, surrounding space ignored).
  Result<std::optional<CustomerId>> find_by_email(const Snapshot& snapshot, const Namespace& ns,
                                                  std::string_view email) const;
  Result<std::optional<CustomerId>> find_by_username(const Snapshot& snapshot, const Namespace& ns,
                                                     std::string_view username) const;

  // The keys of the lookups.
  std::string email_key(std::string_view email) const;
  std::string username_key(std::string_view username) const;

 private:
  events::SecretKey pepper_;  // keys the email and username hashes
};

}  // namespace clientele::projections
