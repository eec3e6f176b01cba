#pragma once
// A bounded cache in front of a KeyStore (DESIGN.md §3): the most recently used customers'
// DEKs stay in memory (least recently used evicted first). An erasure through it, or an
// invalidate() for a `customer.erased` event seen in the log, drops the customer's key.
// Customers are spread over shards, each with its own lock and LRU order, so that concurrent
// sealers rarely wait for each other.

#include <array>
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
  // `inner` must outlive the cache. Each shard keeps up to a 16th of `capacity` plus a quarter
  // for customers that do not spread evenly, so at least `capacity` customers fit; capacity()
  // is the exact bound.
  CachingKeyStore(events::KeyStore& inner, std::size_t capacity);

  Result<events::DataKeyPtr> key_for_sealing(const CustomerId& customer) override;
  Result<events::DataKeyPtr> key_for_opening(const CustomerId& customer,
                                             std::string_view key_id) override;
  Result<bool> destroy(const CustomerId& customer) override;
  Result<bool> is_destroyed(const CustomerId& customer) override;

  // Forgets the customer's key (call on `customer.erased`). Thread-safe.
  void invalidate(const CustomerId& customer);
  std::size_t size() const;
  std::size_t capacity() const { return shard_capacity_ * kShards; }

 private:
  static constexpr std::size_t kShards = 16;

  // One shard: a least-recently-used list of customers and its index.
  struct Shard {
    mutable std::mutex mu;                                           // guards the members below
    std::list<std::pair<std::string, events::DataKeyPtr>> lru;       // most recent first
    std::unordered_map<std::string, decltype(lru)::iterator> index;  // customer id -> entry
  };

  Shard& shard_of(const CustomerId& customer);
  events::DataKeyPtr find(const CustomerId& customer);
  void remember(const CustomerId& customer, events::DataKeyPtr key);

  events::KeyStore& inner_;            // the store behind the cache
  std::size_t shard_capacity_;         // most customers kept per shard
  std::array<Shard, kShards> shards_;  // customers spread by a hash of their id
};

}  // namespace clientele::infra
