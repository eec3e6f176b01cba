#pragma once
// Search by a fragment of a customer's name, email or phone (DESIGN.md §5): case-insensitive
// substring search through a trigram index. Keys hold no personal value: each trigram appears in
// them only as a keyed 64-bit hash (SipHash under a key derived from the pepper).
//
// Layout of its namespace:
//   "g/<trigram hash: 8 bytes>/<customer id>"   the customer's text holds the trigram
//   "s/<customer id>"                           the customer's searchable text and its trigrams
//
// A query intersects the customer lists of the fragment's trigrams (sorted by id, by seeking
// each to the largest id seen), and keeps those whose text holds the whole fragment. On
// `customer.erased` all of the customer's rows go.

#include <string_view>
#include <vector>

#include "events/crypto.hpp"
#include "projections/read_model.hpp"

namespace clientele::projections {

class CustomerSearch final : public ReadModel {
 public:
  // The shortest fragment a query may have.
  static constexpr std::size_t kMinFragment = 3;

  // `pepper` is the blind-index pepper; the trigram key is derived from it.
  explicit CustomerSearch(const events::SecretKey& pepper)
      : key_(events::derive_key(pepper, "clientele.search-trigrams.v1")) {}

  std::string_view name() const override { return "customer_search"; }
  int version() const override { return 1; }
  Result<void> evolve(const Folded& event, Rows& rows) const override;

  // Up to `limit` customers, in id order, whose name ("first last"), email or phone holds
  // `fragment` (any case; for a phone, digits only), on `snapshot` in the namespace `ns` (the
  // live version of this model). errc::invalid naming "q" for a fragment shorter than
  // kMinFragment.
  Result<std::vector<CustomerId>> search(const Snapshot& snapshot, const Namespace& ns,
                                         std::string_view fragment, std::size_t limit) const;

 private:
  std::string gram_key(std::string_view gram) const;

  events::SecretKey key_;  // keys the trigram hashes
};

}  // namespace clientele::projections
