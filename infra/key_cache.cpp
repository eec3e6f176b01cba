#include "infra/key_cache.hpp"

namespace clientele::infra {

CachingKeyStore::CachingKeyStore(events::KeyStore& inner, std::size_t capacity)
    : inner_(inner), capacity_(capacity == 0 ? 1 : capacity) {}

events::DataKeyPtr CachingKeyStore::find(const CustomerId& customer) {
  std::lock_guard lock(mu_);
  const auto it = index_.find(customer.str());
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

void CachingKeyStore::remember(const CustomerId& customer, events::DataKeyPtr key) {
  std::lock_guard lock(mu_);
  const auto it = index_.find(customer.str());
  if (it != index_.end()) {
    it->second->second = std::move(key);
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.emplace_front(customer.str(), std::move(key));
  index_.emplace(customer.str(), lru_.begin());
  if (lru_.size() > capacity_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

void CachingKeyStore::invalidate(const CustomerId& customer) {
  std::lock_guard lock(mu_);
  const auto it = index_.find(customer.str());
  if (it == index_.end()) return;
  lru_.erase(it->second);
  index_.erase(it);
}

std::size_t CachingKeyStore::size() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

Result<events::DataKeyPtr> CachingKeyStore::key_for_sealing(const CustomerId& customer) {
  if (auto key = find(customer)) return key;
  auto key = inner_.key_for_sealing(customer);
  if (key) remember(customer, *key);
  return key;
}

Result<events::DataKeyPtr> CachingKeyStore::key_for_opening(const CustomerId& customer,
                                                            std::string_view key_id) {
  if (auto key = find(customer); key && key->id == key_id) return key;
  auto key = inner_.key_for_opening(customer, key_id);
  if (key) remember(customer, *key);
  return key;
}

Result<bool> CachingKeyStore::destroy(const CustomerId& customer) {
  invalidate(customer);
  auto destroyed = inner_.destroy(customer);
  invalidate(customer);  // a concurrent reader may have cached it meanwhile
  return destroyed;
}

Result<bool> CachingKeyStore::is_destroyed(const CustomerId& customer) {
  return inner_.is_destroyed(customer);
}

}  // namespace clientele::infra
