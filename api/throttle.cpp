#include "api/throttle.hpp"

#include <algorithm>

namespace clientele::api {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;

constexpr double kRoundingSlack = 1e-9;  // of a token

// What a caller is told to wait: whole seconds rounded up, at least one (Retry-After has no
// smaller unit, and "0" would invite an immediate retry that fails again).
seconds retry_after(nanoseconds remaining) {
  return std::max(seconds(1), std::chrono::ceil<seconds>(remaining));
}

// `policy` with at least one free failure, and forget_after at least max_delay so that a key is
// never forgotten while a delay is still running.
BackoffPolicy normalized(BackoffPolicy policy) {
  policy.free_failures = std::max(policy.free_failures, 1);
  policy.forget_after = std::max(policy.forget_after, policy.max_delay);
  return policy;
}

// `limit` within the bounds its fields state (a zero rate would never refill).
RateLimit normalized(RateLimit limit) {
  limit.burst = std::max(limit.burst, 1.0);
  limit.per_second = std::max(limit.per_second, 0.001);
  return limit;
}

// The delay after `failures` consecutive failures: none before free_failures, then first_delay
// doubling per further failure, at most max_delay.
nanoseconds delay_after(const BackoffPolicy& policy, int failures) {
  if (failures < policy.free_failures) return nanoseconds(0);
  nanoseconds delay = policy.first_delay;
  for (int beyond = failures - policy.free_failures; beyond > 0 && delay < policy.max_delay;
       --beyond) {
    delay *= 2;
  }
  return std::min<nanoseconds>(delay, policy.max_delay);
}

}  // namespace

LoginBackoff::LoginBackoff(BackoffPolicy per_account, BackoffPolicy per_address)
    : account_policy_(normalized(per_account)),
      address_policy_(normalized(per_address)),
      accounts_(account_policy_.max_keys),
      addresses_(address_policy_.max_keys) {}

std::optional<nanoseconds> LoginBackoff::wait(const BackoffPolicy& policy, const Failures* failures,
                                              Instant now) {
  if (failures == nullptr) return std::nullopt;
  const auto ready = failures->last_failure + delay_after(policy, failures->count);
  if (now >= ready) return std::nullopt;
  return ready - now;
}

std::optional<seconds> LoginBackoff::check(std::string_view account, std::string_view address,
                                           Instant now) {
  const std::lock_guard lock(mutex_);
  accounts_.expire(now, account_policy_.forget_after);
  addresses_.expire(now, address_policy_.forget_after);
  const auto by_account = wait(account_policy_, accounts_.find(account), now);
  const auto by_address = wait(address_policy_, addresses_.find(address), now);
  if (!by_account && !by_address) return std::nullopt;
  return retry_after(
      std::max(by_account.value_or(nanoseconds(0)), by_address.value_or(nanoseconds(0))));
}

void LoginBackoff::record_failure(std::string_view account, std::string_view address, Instant now) {
  const std::lock_guard lock(mutex_);
  accounts_.expire(now, account_policy_.forget_after);
  addresses_.expire(now, address_policy_.forget_after);
  for (auto* failures : {&accounts_.touch(account, now), &addresses_.touch(address, now)}) {
    ++failures->count;
    failures->last_failure = now;
  }
}

void LoginBackoff::record_success(std::string_view account) {
  const std::lock_guard lock(mutex_);
  accounts_.erase(account);
}

std::size_t LoginBackoff::accounts_tracked() const {
  const std::lock_guard lock(mutex_);
  return accounts_.size();
}

std::size_t LoginBackoff::addresses_tracked() const {
  const std::lock_guard lock(mutex_);
  return addresses_.size();
}

RateLimiter::RateLimiter(RateLimit limit)
    : limit_(normalized(limit)),
      refill_(std::chrono::duration_cast<nanoseconds>(
          std::chrono::duration<double>(limit_.burst / limit_.per_second))),
      buckets_(limit.max_keys) {}

std::optional<seconds> RateLimiter::acquire(std::string_view address, Instant now) {
  const std::lock_guard lock(mutex_);
  buckets_.expire(now, refill_);
  auto& bucket = buckets_.touch(address, now);
  if (bucket.tokens < 0) {
    bucket.tokens = limit_.burst;
  } else if (now > bucket.updated) {
    const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    bucket.tokens = std::min(limit_.burst, bucket.tokens + elapsed * limit_.per_second);
  }
  bucket.updated = std::max(bucket.updated, now);
  // Refills add up fractions of a token; a rounding error must not refuse a whole one.
  if (bucket.tokens >= 1 - kRoundingSlack) {
    bucket.tokens -= 1;
    return std::nullopt;
  }
  const double missing = (1 - bucket.tokens) / limit_.per_second;
  return retry_after(
      std::chrono::duration_cast<nanoseconds>(std::chrono::duration<double>(missing)));
}

std::size_t RateLimiter::addresses_tracked() const {
  const std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace clientele::api
