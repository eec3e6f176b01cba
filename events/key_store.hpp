#pragma once
// The key store port (DESIGN.md §3): one data-encryption key (DEK) per customer, which seals
// every personal field of that customer's events. Destroying it is the erasure.

#include <memory>
#include <string>
#include <string_view>

#include "domain/ids.hpp"
#include "domain/result.hpp"
#include "events/crypto.hpp"

namespace clientele::events {

// A customer's DEK and its id (the `kid` of the blocks it seals; random, reveals nothing).
struct DataKey {
  std::string id;
  SecretKey key;
};
using DataKeyPtr = std::shared_ptr<const DataKey>;

// Implementations are thread-safe.
class KeyStore {
 public:
  virtual ~KeyStore() = default;

  // The customer's DEK, made and stored durably on first use. errc::conflict when the
  // customer's key was destroyed: an erased customer never gets a new key.
  virtual Result<DataKeyPtr> key_for_sealing(const CustomerId& customer) = 0;

  // The customer's DEK with id `key_id`. errc::not_found when it no longer exists (destroyed)
  // or never did; `is_destroyed` tells which.
  virtual Result<DataKeyPtr> key_for_opening(const CustomerId& customer,
                                             std::string_view key_id) = 0;

  // Destroys the customer's DEK so that no copy is left in the store's files. Returns whether a
  // key existed. Idempotent.
  virtual Result<bool> destroy(const CustomerId& customer) = 0;

  // Whether the customer's DEK was destroyed.
  virtual Result<bool> is_destroyed(const CustomerId& customer) = 0;
};

}  // namespace clientele::events
