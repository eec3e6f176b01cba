#include "infra/key_cache.hpp"

#include <algorithm>
#include <functional>

namespace clientele::infra {

CachingKeyStore::CachingKeyStore(events::KeyStore& inner, std::size_t capacity)
    : inner_(inner), shard_capacity_((capacity + kShards - 1) / kShards * 5 / 4 + 1) {}

CachingKeyStore::Shard& CachingKeyStore::shard_of(const CustomerId& customer) {
  return shards_[std::hash<std::string>{}(customer.str()) % kShards];
}

events::DataKeyPtr CachingKeyStore::find(const CustomerId& customer) {
  auto& shard = shard_of(customer);
  std::lock_guard lock(shard.mu);
  const auto it = shard.index.find(customer.str());
  if (it == shard.index.end()) return nullptr;
  shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
  return it->second->second;
}

void CachingKeyStore::remember(const CustomerId& customer, events::DataKeyPtr key) {
  auto& shard = shard_of(customer);
  std::lock_guard lock(shard.mu);
  const auto it = shard.index.find(customer.str());
  if (it != shard.index.end()) {
    it->second->second = std::move(key);
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    return;
  }
  shard.lru.emplace_front(customer.str(), std::move(key));
  shard.index.emplace(customer.str(), shard.lru.begin());
  if (shard.lru.size() > shard_capacity_) {
    shard.index.erase(shard.lru.back().first);
    shard.lru.pop_back();
  }
}

void CachingKeyStore::invalidate(const CustomerId& customer) {
  auto& shard = shard_of(customer);
  std::lock_guard lock(shard.mu);
  const auto it = shard.index.find(customer.str());
  if (it == shard.index.end()) return;
  shard.lru.erase(it->second);
  shard.index.erase(it);
}

std::size_t CachingKeyStore::size() const {
  std::size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mu);
    total += shard.lru.size();
  }
  return total;
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
