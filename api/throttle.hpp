#pragma once
// Abuse controls for the auth routes (DESIGN.md §6), in memory: login backoff per account and per
// client address, and a request rate limit per client address. When either refuses, the API
// answers 429 with `Retry-After` set to the seconds returned here.
//
// Time is always passed in (`now`, from a monotonic clock), never read here, so tests step it
// instead of sleeping.
//
// What the tables hold is kept small and short-lived:
//   - account keys must be opaque, never personal data: the caller passes a customer id, or the
//     blind index of the login name when no account matches (so that unknown accounts back off
//     like known ones, and a 429 does not tell which exist);
//   - client addresses are personal data (DESIGN.md §3): they stay in this process's memory,
//     are never logged, and are forgotten once idle (see each class);
//   - each table holds at most `max_keys` entries: beyond that the least recently active is
//     evicted. An attacker who floods a table with fresh keys can push others out, so size the
//     bound well above the number of keys active within the idle period.

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace clientele::api {

using ThrottleClock = std::chrono::steady_clock;
using Instant = ThrottleClock::time_point;

namespace detail {

// Entries by key, least recently touched first, at most `max_keys` of them. Not thread-safe:
// its owner locks.
template <class Value>
class RecentTable {
 public:
  explicit RecentTable(std::size_t max_keys) : max_keys_(max_keys == 0 ? 1 : max_keys) {}

  // The entry of `key`, made with `Value{}` when absent, now the most recent. The table may
  // evict its least recent entry to make room.
  Value& touch(std::string_view key, Instant now) {
    auto found = index_.find(std::string(key));
    if (found == index_.end()) {
      if (index_.size() >= max_keys_) forget(order_.begin());
      order_.push_back(Entry{std::string(key), now, Value{}});
      found = index_.emplace(order_.back().key, std::prev(order_.end())).first;
    } else {
      order_.splice(order_.end(), order_, found->second);
      found->second->touched = now;
    }
    return found->second->value;
  }

  // The entry of `key` without making it more recent, or nullptr.
  Value* find(std::string_view key) {
    const auto found = index_.find(std::string(key));
    return found == index_.end() ? nullptr : &found->second->value;
  }

  void erase(std::string_view key) {
    const auto found = index_.find(std::string(key));
    if (found != index_.end()) forget(found->second);
  }

  // Forgets the entries last touched `idle` or longer before `now`.
  void expire(Instant now, std::chrono::nanoseconds idle) {
    while (!order_.empty() && now - order_.front().touched >= idle) forget(order_.begin());
  }

  std::size_t size() const { return index_.size(); }

 private:
  struct Entry {
    std::string key;  // the key, as the index holds it
    Instant touched;  // when touch() last returned it
    Value value;
  };
  using Order = std::list<Entry>;

  void forget(typename Order::iterator entry) {
    index_.erase(entry->key);
    order_.erase(entry);
  }

  std::size_t max_keys_;                                             // the bound on size()
  Order order_;                                                      // least recently touched first
  std::unordered_map<std::string, typename Order::iterator> index_;  // key -> its entry
};

}  // namespace detail

// Once `free_failures` logins in a row have failed, each further attempt must wait: `first_delay`
// after the last free failure, doubling with each further failure, never more than `max_delay`
// (so never a permanent lockout). With the defaults: five failures, then waits of 1 s, 2 s,
// 4 s, ... 512 s, 900 s, 900 s, ... One policy applies to accounts, another to addresses.
struct BackoffPolicy {
  int free_failures = 5;                    // failures before any delay; at least 1
  std::chrono::seconds first_delay{1};      // the first delay; doubles per further failure
  std::chrono::seconds max_delay{15 * 60};  // the longest delay
  // A key with no failure for this long is forgotten, its count starting afresh. At least
  // max_delay; longer than it, so that waiting out the longest delay does not also reset the
  // count (one hour: 4 attempts an hour at worst once the delay is at its cap).
  std::chrono::seconds forget_after{60 * 60};
  std::size_t max_keys = 100'000;  // accounts (or addresses) tracked at once
};

// Login backoff per account and per client address. Thread-safe.
//
// Both counts grow with each failure. A success resets the account's count only: one address
// trying many accounts keeps its count, even when one of them is its own.
class LoginBackoff {
 public:
  // Addresses get more free failures than accounts by default: many people may share one
  // address (a company's or a carrier's NAT).
  explicit LoginBackoff(BackoffPolicy per_account = {},
                        BackoffPolicy per_address = {.free_failures = 20});
  LoginBackoff(const LoginBackoff&) = delete;
  LoginBackoff& operator=(const LoginBackoff&) = delete;

  // How long an attempt on `account` from `address` must still wait (whole seconds, rounded up),
  // or nullopt when it may go ahead now. Call before checking the password; a refused attempt
  // is not a failure.
  std::optional<std::chrono::seconds> check(std::string_view account, std::string_view address,
                                            Instant now);
  // A login on `account` from `address` failed (wrong password, or no such account).
  void record_failure(std::string_view account, std::string_view address, Instant now);
  // A login on `account` succeeded: the account's count starts afresh. The address's does not
  // (see above), which is why it is not asked for.
  void record_success(std::string_view account);

  // Accounts and addresses tracked (for tests and metrics).
  std::size_t accounts_tracked() const;
  std::size_t addresses_tracked() const;

 private:
  // One key's failures since its last success.
  struct Failures {
    int count = 0;           // consecutive failures
    Instant last_failure{};  // when the last one happened
  };

  static std::optional<std::chrono::nanoseconds> wait(const BackoffPolicy& policy,
                                                      const Failures* failures, Instant now);

  const BackoffPolicy account_policy_;       // for accounts
  const BackoffPolicy address_policy_;       // for addresses
  mutable std::mutex mutex_;                 // guards the tables
  detail::RecentTable<Failures> accounts_;   // account key -> failures
  detail::RecentTable<Failures> addresses_;  // client address -> failures
};

// A token bucket per client address: `burst` requests at once, then `per_second` more each
// second. A bucket idle long enough to be full again is forgotten: a new one would be the same.
struct RateLimit {
  double burst = 20;               // the bucket's size; at least 1
  double per_second = 5;           // tokens added per second; at least 0.001
  std::size_t max_keys = 100'000;  // addresses tracked at once
};

// Rate limit per client address. Thread-safe.
class RateLimiter {
 public:
  explicit RateLimiter(RateLimit limit = {});
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes a token for a request from `address`: nullopt when the request may go ahead, else
  // how long until a token is there (whole seconds, at least 1) and nothing is taken.
  std::optional<std::chrono::seconds> acquire(std::string_view address, Instant now);

  // Addresses tracked (for tests and metrics).
  std::size_t addresses_tracked() const;

 private:
  // One address's bucket.
  struct Bucket {
    double tokens = -1;  // tokens left at `updated`; < 0 until first used (then full)
    Instant updated{};   // when `tokens` was last computed
  };

  const RateLimit limit_;                  // the policy
  const std::chrono::nanoseconds refill_;  // how long an empty bucket takes to fill
  mutable std::mutex mutex_;               // guards `buckets_`
  detail::RecentTable<Bucket> buckets_;    // client address -> bucket
};

}  // namespace clientele::api
