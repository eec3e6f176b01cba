#pragma once
// An in-memory KeyStore, for unit tests of the layers above the port (sealing, erasure rules).
// The real store is infra::RocksDbKeyStore, tested on disk.

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "events/key_store.hpp"

namespace clientele::testing {

class MemoryKeyStore final : public events::KeyStore {
 public:
  Result<events::DataKeyPtr> key_for_sealing(const CustomerId& customer) override {
    std::lock_guard lock(mu_);
    if (destroyed_.contains(customer.str()))
      return make_error(errc::conflict, "customerId", "customer was erased");
    auto& key = keys_[customer.str()];
    if (!key) {
      key = std::make_shared<const events::DataKey>(
          events::DataKey{"kid-" + std::to_string(++made_), events::SecretKey::random()});
    }
    return key;
  }
  Result<events::DataKeyPtr> key_for_opening(const CustomerId& customer,
                                             std::string_view key_id) override {
    std::lock_guard lock(mu_);
    const auto it = keys_.find(customer.str());
    if (it == keys_.end() || it->second->id != key_id)
      return make_error(errc::not_found, "", "no such key");
    return it->second;
  }
  Result<bool> destroy(const CustomerId& customer) override {
    std::lock_guard lock(mu_);
    destroyed_.insert(customer.str());
    return keys_.erase(customer.str()) > 0;
  }
  Result<bool> is_destroyed(const CustomerId& customer) override {
    std::lock_guard lock(mu_);
    return destroyed_.contains(customer.str());
  }

 private:
  std::mutex mu_;                                   // guards the members below
  std::map<std::string, events::DataKeyPtr> keys_;  // customer id -> live key
  std::set<std::string> destroyed_;                 // customers whose key was destroyed
  int made_ = 0;                                    // keys made so far (for key ids)
};

}  // namespace clientele::testing
