// Abuse controls (api/throttle.hpp): login backoff per account and per address, and the rate
// limit per address. Time is stepped by hand; nothing sleeps.

#include "api/throttle.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace clientele::api {
namespace {

using namespace std::chrono_literals;
using std::chrono::seconds;

const Instant kStart = Instant() + 1000h;

// An address of its own for attempt `i`, so that only the account's count matters.
std::string address(int i) {
  return "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256);
}

TEST(LoginBackoff, FiveFailuresAreFreeThenTheDelayDoublesUpToFifteenMinutes) {
  LoginBackoff backoff;
  auto now = kStart;
  int attempt = 0;
  for (; attempt < 5; ++attempt) {
    EXPECT_EQ(backoff.check("acct-1", address(attempt), now), std::nullopt) << attempt;
    backoff.record_failure("acct-1", address(attempt), now);
  }
  std::vector<long> delays;
  for (; attempt < 20; ++attempt) {
    const auto wait = backoff.check("acct-1", address(attempt), now);
    ASSERT_TRUE(wait.has_value()) << attempt;
    delays.push_back(wait->count());
    EXPECT_NE(backoff.check("acct-1", address(attempt), now + *wait - 1s), std::nullopt)
        << "one second early is still too early";
    now += *wait;
    EXPECT_EQ(backoff.check("acct-1", address(attempt), now), std::nullopt) << attempt;
    backoff.record_failure("acct-1", address(attempt), now);
  }
  const std::vector<long> expected{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900, 900};
  EXPECT_EQ(delays, expected);
}

TEST(LoginBackoff, NeverLocksOutForGood) {
  LoginBackoff backoff;
  auto now = kStart;
  for (int i = 0; i < 1000; ++i) backoff.record_failure("acct-1", address(i), now);
  EXPECT_EQ(backoff.check("acct-1", "192.0.2.1", now), seconds(900));
  EXPECT_EQ(backoff.check("acct-1", "192.0.2.1", now + 900s), std::nullopt);
}

TEST(LoginBackoff, RetryAfterIsRoundedUpToWholeSeconds) {
  LoginBackoff backoff;
  for (int i = 0; i < 6; ++i) backoff.record_failure("acct-1", address(i), kStart);
  EXPECT_EQ(backoff.check("acct-1", "192.0.2.1", kStart), seconds(2));
  EXPECT_EQ(backoff.check("acct-1", "192.0.2.1", kStart + 500ms), seconds(2));
  EXPECT_EQ(backoff.check("acct-1", "192.0.2.1", kStart + 1001ms), seconds(1));
  EXPECT_EQ(backoff.check("acct-1", "192.0.2.1", kStart + 1999ms), seconds(1));
  EXPECT_EQ(backoff.check("acct-1", "192.0.2.1", kStart + 2s), std::nullopt);
}

TEST(LoginBackoff, ASuccessResetsTheAccountButNotTheAddress) {
  LoginBackoff backoff({.free_failures = 2}, {.free_failures = 3});
  // Failures on two accounts from one address, then one on the attacker's own account.
  for (const char* account : {"victim-1", "victim-2", "own"})
    backoff.record_failure(account, "203.0.113.7", kStart);
  EXPECT_EQ(backoff.check("victim-4", "203.0.113.7", kStart), seconds(1));
  backoff.record_success("own");
  EXPECT_EQ(backoff.check("victim-4", "203.0.113.7", kStart), seconds(1))
      << "a success on one account does not clear its address";

  for (int i = 0; i < 2; ++i) backoff.record_failure("acct-2", address(i), kStart);
  EXPECT_EQ(backoff.check("acct-2", "192.0.2.1", kStart), seconds(1));
  backoff.record_success("acct-2");
  EXPECT_EQ(backoff.check("acct-2", "192.0.2.1", kStart), std::nullopt);
}

TEST(LoginBackoff, AnAddressBacksOffAcrossAccountsAndOthersAreNotAffected) {
  LoginBackoff backoff({.free_failures = 5}, {.free_failures = 20});
  // Credential stuffing: one failure on each of many accounts from one address.
  for (int i = 0; i < 20; ++i)
    backoff.record_failure("acct-" + std::to_string(i), "203.0.113.7", kStart);
  EXPECT_EQ(backoff.check("fresh-account", "203.0.113.7", kStart), seconds(1));
  EXPECT_EQ(backoff.check("fresh-account", "192.0.2.1", kStart), std::nullopt);
  EXPECT_EQ(backoff.check("acct-0", "192.0.2.1", kStart), std::nullopt)
      << "one failure on acct-0 does not make it wait elsewhere";
}

TEST(LoginBackoff, AnAccountBacksOffFromEveryAddress) {
  LoginBackoff backoff;
  for (int i = 0; i < 6; ++i) backoff.record_failure("acct-1", address(i), kStart);
  EXPECT_EQ(backoff.check("acct-1", "198.51.100.1", kStart), seconds(2));
  EXPECT_EQ(backoff.check("acct-2", "198.51.100.1", kStart), std::nullopt);
}

TEST(LoginBackoff, IdleKeysAreForgottenAndCountAfresh) {
  LoginBackoff backoff({.forget_after = 3600s}, {.forget_after = 3600s});
  for (int i = 0; i < 5; ++i) backoff.record_failure("acct-1", "192.0.2.1", kStart);
  EXPECT_EQ(backoff.accounts_tracked(), 1u);
  EXPECT_EQ(backoff.addresses_tracked(), 1u);
  const auto later = kStart + 3600s;
  EXPECT_EQ(backoff.check("acct-1", "192.0.2.1", later), std::nullopt);
  EXPECT_EQ(backoff.accounts_tracked(), 0u);
  EXPECT_EQ(backoff.addresses_tracked(), 0u);
  backoff.record_failure("acct-1", "192.0.2.1", later);
  EXPECT_EQ(backoff.check("acct-1", "192.0.2.1", later), std::nullopt)
      << "the count started afresh: one failure is free";
}

TEST(LoginBackoff, AKeyIsNotForgottenWhileItsDelayRuns) {
  // forget_after shorter than max_delay is raised to it.
  LoginBackoff backoff({.max_delay = 900s, .forget_after = 60s});
  for (int i = 0; i < 20; ++i) backoff.record_failure("acct-1", address(i), kStart);
  EXPECT_EQ(backoff.check("acct-1", "192.0.2.1", kStart + 600s), seconds(300));
}

TEST(LoginBackoff, TracksAtMostMaxKeysEvictingTheOldest) {
  // One failure each, and a delay far longer than the test's span: a key still tracked waits.
  const BackoffPolicy policy{.free_failures = 1, .first_delay = 600s, .max_keys = 10};
  LoginBackoff backoff(policy, policy);
  for (int i = 0; i < 100; ++i) {
    backoff.record_failure("acct-" + std::to_string(i), address(i), kStart + seconds(i));
    EXPECT_LE(backoff.accounts_tracked(), 10u);
    EXPECT_LE(backoff.addresses_tracked(), 10u);
  }
  const auto now = kStart + 99s;
  EXPECT_EQ(backoff.check("acct-0", "192.0.2.1", now), std::nullopt) << "evicted";
  EXPECT_EQ(backoff.check("acct-90", "192.0.2.1", now), seconds(591)) << "the newest stay";
  EXPECT_EQ(backoff.check("acct-89", "192.0.2.1", now), std::nullopt) << "evicted";
}

TEST(RateLimiter, ABurstGoesThroughThenTokensComeBackAtTheRefillRate) {
  RateLimiter limiter({.burst = 20, .per_second = 5});
  for (int i = 0; i < 20; ++i) EXPECT_EQ(limiter.acquire("192.0.2.1", kStart), std::nullopt) << i;
  EXPECT_EQ(limiter.acquire("192.0.2.1", kStart), seconds(1));
  EXPECT_EQ(limiter.acquire("192.0.2.1", kStart + 100ms), seconds(1)) << "half a token";
  EXPECT_EQ(limiter.acquire("192.0.2.1", kStart + 200ms), std::nullopt) << "one token";
  EXPECT_EQ(limiter.acquire("192.0.2.1", kStart + 200ms), seconds(1));
  int granted = 0;
  for (int i = 0; i < 30; ++i) granted += limiter.acquire("192.0.2.1", kStart + 2200ms) ? 0 : 1;
  EXPECT_EQ(granted, 10) << "two seconds refill ten tokens";
}

TEST(RateLimiter, TheBucketNeverHoldsMoreThanTheBurst) {
  RateLimiter limiter({.burst = 3, .per_second = 1});
  ASSERT_EQ(limiter.acquire("192.0.2.1", kStart), std::nullopt);
  int granted = 0;
  for (int i = 0; i < 10; ++i) granted += limiter.acquire("192.0.2.1", kStart + 1h) ? 0 : 1;
  EXPECT_EQ(granted, 3);
}

TEST(RateLimiter, RetryAfterSaysWhenTheNextTokenComes) {
  RateLimiter limiter({.burst = 1, .per_second = 0.1});
  ASSERT_EQ(limiter.acquire("192.0.2.1", kStart), std::nullopt);
  EXPECT_EQ(limiter.acquire("192.0.2.1", kStart), seconds(10));
  EXPECT_EQ(limiter.acquire("192.0.2.1", kStart + 7500ms), seconds(3));
  EXPECT_EQ(limiter.acquire("192.0.2.1", kStart + 10s), std::nullopt);
}

TEST(RateLimiter, AddressesHaveTheirOwnBuckets) {
  RateLimiter limiter({.burst = 2, .per_second = 1});
  for (int i = 0; i < 2; ++i) ASSERT_EQ(limiter.acquire("192.0.2.1", kStart), std::nullopt);
  EXPECT_NE(limiter.acquire("192.0.2.1", kStart), std::nullopt);
  EXPECT_EQ(limiter.acquire("192.0.2.2", kStart), std::nullopt);
}

TEST(RateLimiter, TracksAtMostMaxKeysAndForgetsFullBuckets) {
  RateLimiter limiter({.burst = 4, .per_second = 2, .max_keys = 8});
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(limiter.acquire(address(i), kStart), std::nullopt);
    EXPECT_LE(limiter.addresses_tracked(), 8u);
  }
  // After burst / per_second = 2 s every bucket is full again, as a new one would be.
  ASSERT_EQ(limiter.acquire("192.0.2.1", kStart + 2s), std::nullopt);
  EXPECT_EQ(limiter.addresses_tracked(), 1u);
}

TEST(RateLimiter, ConcurrentCallersShareOneBucketExactly) {
  RateLimiter limiter({.burst = 100, .per_second = 1});
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i)
        if (!limiter.acquire("192.0.2.1", kStart)) ++granted;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(granted.load(), 100);
}

}  // namespace
}  // namespace clientele::api
