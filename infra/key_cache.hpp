#pragma once
// A bounded cache in front of a KeyStore (DESIGN.md §3): the most recently used customers'
// DEKs stay in memory (least recently used evicted first). An erasure through it, or an
// invalidate() for a `customer.erased` event seen in the log, drops the customer's key.

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "events/key_store.hpp"

namespace clientele::infra {

class CachingKeyStore final : public events::KeyStore {
 public:
  // `inner` must outlive the cache. `capacity` >= 1 customers.
  CachingKeyStore(events::KeyStore& inner, std::size_t capacity);

  Result<events::DataKeyPtr> key_for_sealing(const CustomerId& customer) override;
  Result<events::DataKeyPtr> key_for_opening(const CustomerId& customer,
                                             std::string_view key_id) override;
  Result<bool> destroy(const CustomerId& customer) override;
  Result<bool> is_destroyed(const CustomerId& customer) override;

  // Forgets the customer's key (call on `customer.erased`). Thread-safe.
  void invalidate(const CustomerId& customer);
  std::size_t size() const;

 private:
  events::DataKeyPtr find(const CustomerId& customer);
  void remember(const CustomerId& customer, events::DataKeyPtr key);

  events::KeyStore& inner_;                                          // the store behind the cache
  std::size_t capacity_;                                             // most customers kept
  mutable std::mutex mu_;                                            // guards the two members below
  std::list<std::pair<std::string, events::DataKeyPtr>> lru_;        // most recent first
  std::unordered_map<std::string, decltype(lru_)::iterator> index_;  // customer id -> entry
};

}  // namespace clientele::infra
