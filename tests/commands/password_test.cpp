// Password hashing (argon2id) and the password rules.

#include "commands/password.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace clientele::commands {
namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

PasswordHasher make_hasher(PasswordHashing params) {
  auto hasher = PasswordHasher::create(params);
  if (!hasher) throw std::runtime_error(hasher.error().message);
  return std::move(*hasher);
}

PasswordHasher test_hasher() {
  return make_hasher(PasswordHashing::for_tests());
}

std::string hash_of(const PasswordHasher& hasher, std::string_view password) {
  auto hash = hasher.hash(password);
  if (!hash) throw std::runtime_error(hash.error().message);
  return *hash;
}

TEST(PasswordHashing, DefaultsAreOwaspMinimumAndValid) {
  const PasswordHashing params;
  EXPECT_EQ(params.ops_limit, 2u);
  EXPECT_EQ(params.mem_limit, 19 * kMiB);
  EXPECT_FALSE(params.allow_weak);
  EXPECT_TRUE(params.validate().ok());
}

TEST(PasswordHashing, BelowOwaspMinimumIsRefusedUnlessWeaknessIsAskedFor) {
  const auto few_passes = PasswordHashing{1, 19 * kMiB}.validate();
  ASSERT_FALSE(few_passes.ok());
  EXPECT_EQ(few_passes.error().code, errc::invalid);
  EXPECT_EQ(few_passes.error().field, "opsLimit");

  const auto little_memory = PasswordHashing{2, 19 * kMiB - 1024}.validate();
  ASSERT_FALSE(little_memory.ok());
  EXPECT_EQ(little_memory.error().field, "memLimit");

  EXPECT_FALSE(PasswordHasher::create(PasswordHashing{1, 1 * kMiB}).ok());
  EXPECT_TRUE(PasswordHashing({1, 1 * kMiB, /*allow_weak=*/true}).validate().ok());
}

TEST(PasswordHashing, TestParametersAreWeakOnPurposeAndStillWithinLibsodiumBounds) {
  const auto params = PasswordHashing::for_tests();
  EXPECT_TRUE(params.allow_weak);
  EXPECT_LT(params.mem_limit, PasswordHashing::kMinMemLimit);
  EXPECT_TRUE(params.validate().ok());
  // Weak is allowed; impossible is not.
  const auto too_little = PasswordHashing{1, 1024, /*allow_weak=*/true}.validate();
  ASSERT_FALSE(too_little.ok());
  EXPECT_EQ(too_little.error().field, "memLimit");
  EXPECT_FALSE(PasswordHashing({0, 1 * kMiB, /*allow_weak=*/true}).validate().ok());
}

TEST(PasswordHasher, HashesWithArgon2idAndVerifiesTheSamePassword) {
  const auto hasher = test_hasher();
  const auto hash = hash_of(hasher, "correct horse 42");
  EXPECT_TRUE(hash.starts_with("$argon2id$")) << hash;
  EXPECT_EQ(hash.find("correct horse 42"), std::string::npos);
  EXPECT_TRUE(hasher.verify(hash, "correct horse 42"));
}

TEST(PasswordHasher, RefusesAWrongPassword) {
  const auto hasher = test_hasher();
  const auto hash = hash_of(hasher, "correct horse 42");
  EXPECT_FALSE(hasher.verify(hash, "correct horse 43"));
  EXPECT_FALSE(hasher.verify(hash, ""));
  EXPECT_FALSE(hasher.verify(hash, "correct horse 42 "));
}

TEST(PasswordHasher, SaltsEveryHash) {
  const auto hasher = test_hasher();
  const auto first = hash_of(hasher, "correct horse 42");
  const auto second = hash_of(hasher, "correct horse 42");
  EXPECT_NE(first, second);
  EXPECT_TRUE(hasher.verify(second, "correct horse 42"));
}

TEST(PasswordHasher, MalformedHashesVerifyNothing) {
  const auto hasher = test_hasher();
  EXPECT_FALSE(hasher.verify("", "correct horse 42"));
  EXPECT_FALSE(hasher.verify("$argon2id$v=19$m=8,t=1,p=1$garbage", "correct horse 42"));
  EXPECT_FALSE(hasher.verify(std::string(1000, '$'), "correct horse 42"));
}

TEST(PasswordHasher, VerifiesAHashMadeWithOtherParameters) {
  const auto old_hasher = test_hasher();
  const auto hash = hash_of(old_hasher, "correct horse 42");
  const auto new_hasher = make_hasher({2, 64 * 1024, /*allow_weak=*/true});
  EXPECT_TRUE(new_hasher.verify(hash, "correct horse 42"));
}

TEST(PasswordHasher, NeedsRehashIffTheParametersChanged) {
  const auto hasher = test_hasher();
  const auto hash = hash_of(hasher, "correct horse 42");
  EXPECT_FALSE(hasher.needs_rehash(hash));

  auto more_passes = PasswordHashing::for_tests();
  ++more_passes.ops_limit;
  EXPECT_TRUE(make_hasher(more_passes).needs_rehash(hash));
  auto more_memory = PasswordHashing::for_tests();
  more_memory.mem_limit *= 2;
  EXPECT_TRUE(make_hasher(more_memory).needs_rehash(hash));

  EXPECT_TRUE(hasher.needs_rehash("not a hash"));
  EXPECT_TRUE(hasher.needs_rehash(""));
}

// The least time of `runs` calls of `work`, which is robust against a busy machine.
std::chrono::nanoseconds fastest(int runs, const std::function<void()>& work) {
  auto best = std::chrono::nanoseconds::max();
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    work();
    best = std::min(best, std::chrono::nanoseconds(std::chrono::steady_clock::now() - start));
  }
  return best;
}

TEST(PasswordHasher, DummyVerificationFailsAfterAsMuchWorkAsARealOne) {
  // Heavy enough (about 10 ms) that the work dominates the noise of the machine.
  const auto hasher = make_hasher({2, 4 * kMiB, /*allow_weak=*/true});
  const auto hash = hash_of(hasher, "correct horse 42");
  EXPECT_FALSE(hasher.verify_dummy("correct horse 42"));
  EXPECT_FALSE(hasher.verify_dummy(""));
  const auto real = fastest(5, [&] { EXPECT_FALSE(hasher.verify(hash, "wrong horse 42")); });
  const auto dummy = fastest(5, [&] { EXPECT_FALSE(hasher.verify_dummy("wrong horse 42")); });
  EXPECT_GT(dummy * 2, real) << "dummy " << dummy.count() << " ns, real " << real.count() << " ns";
  EXPECT_LT(dummy, real * 2) << "dummy " << dummy.count() << " ns, real " << real.count() << " ns";
}

TEST(PasswordHasher, IsUsableFromManyThreads) {
  const auto hasher = test_hasher();
  const auto hash = hash_of(hasher, "correct horse 42");
  std::vector<std::thread> threads;
  std::atomic<int> verified{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 10; ++k) verified += hasher.verify(hash, "correct horse 42") ? 1 : 0;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(verified.load(), 40);
}

TEST(PasswordHasher, ConcurrencyDefaultsToOnePerCore) {
  EXPECT_EQ(test_hasher().parameters().concurrency,
            std::max(1U, std::thread::hardware_concurrency()));
}

// Eight threads verify at once through a hasher that allows two: a watcher sampling load() never
// sees more than two running, and sees the others waiting.
TEST(PasswordHasher, RunsNoMoreHashesAtOnceThanItsConcurrency) {
  auto params = PasswordHashing::for_tests();
  params.mem_limit = std::size_t{1} << 20;  // about a millisecond a hash: long enough to watch
  params.concurrency = 2;
  const auto hasher = PasswordHasher::create(params).value();
  const auto hash = hash_of(hasher, "correct horse 42");

  // Eight threads hash until the load has shown hashes running and waiting (or time is up),
  // however the machine schedules them.
  std::atomic<bool> seen{false};
  std::atomic<int> verified{0};
  std::atomic<int> refused{0};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  const auto busy = [&] { return !seen && std::chrono::steady_clock::now() < deadline; };
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      while (busy()) ++(hasher.verify(hash, "correct horse 42") ? verified : refused);
    });
  }
  PasswordHasher::Load peak;
  while (busy()) {
    const auto load = hasher.load();
    peak.running = std::max(peak.running, load.running);
    peak.waiting = std::max(peak.waiting, load.waiting);
    seen = peak.running >= 1 && peak.waiting >= 1;
  }
  for (auto& thread : threads) thread.join();

  EXPECT_TRUE(seen.load()) << "never saw hashes running and waiting at once";
  EXPECT_GT(verified.load(), 0);
  EXPECT_EQ(refused.load(), 0);
  EXPECT_LE(peak.running, 2U);
  EXPECT_EQ(hasher.load().running, 0U);
  EXPECT_EQ(hasher.load().waiting, 0U);
}

// The password rules. Each refusal names the field and never repeats the password.
void expect_refused(std::string_view password, std::string_view field = "password") {
  const auto checked = check_password_policy(password, field);
  ASSERT_FALSE(checked.ok()) << "accepted a password of " << password.size() << " bytes";
  EXPECT_EQ(checked.error().code, errc::invalid);
  EXPECT_EQ(checked.error().field, field);
  EXPECT_FALSE(checked.error().message.empty());
  if (!password.empty()) {
    EXPECT_EQ(checked.error().message.find(password), std::string::npos) << checked.error().message;
  }
}

std::string repeat(std::string_view text, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += text;
  return out;
}

TEST(PasswordPolicy, AcceptsEightToOneHundredTwentyEightCharactersWithALetterAndADigit) {
  EXPECT_TRUE(check_password_policy("abcdefg1", "password").ok());
  EXPECT_TRUE(check_password_policy("correct horse battery 9", "password").ok());
  EXPECT_TRUE(check_password_policy(repeat("a", 127) + "1", "password").ok());
  EXPECT_TRUE(check_password_policy("Tr0ub4dor&3!?", "newPassword").ok());
}

TEST(PasswordPolicy, RefusesTooShortOrTooLong) {
  expect_refused("");
  expect_refused("abcdef1");
  expect_refused(repeat("a", 128) + "1");
}

TEST(PasswordPolicy, NeedsALetterAndADigit) {
  expect_refused("abcdefghij");
  expect_refused("1234567890");
  expect_refused("!!!!----1234");
  expect_refused("€€€€€€€1");  // symbols beyond ASCII are no letters either
}

TEST(PasswordPolicy, CountsCodePointsNotBytes) {
  // 7 code points in 14 bytes: too short although it has more than 8 bytes.
  expect_refused("éééééé1");
  EXPECT_TRUE(check_password_policy("ééééééé1", "password").ok());
  // 128 code points in 255 bytes: long enough bytes-wise to fail a byte count.
  EXPECT_TRUE(check_password_policy(repeat("é", 127) + "1", "password").ok());
  expect_refused(repeat("é", 128) + "1");
}

TEST(PasswordPolicy, AcceptsLettersOfAnyScript) {
  EXPECT_TRUE(check_password_policy("пароль123", "password").ok());
  EXPECT_TRUE(check_password_policy("비밀번호비밀번호7", "password").ok());
}

TEST(PasswordPolicy, RefusesInvalidUtf8AndControlCharacters) {
  expect_refused("abcdefg1\xff");
  expect_refused("abc\xc3(defg1");
  expect_refused(std::string("abcd\0efg1", 9));
  expect_refused("abcd\nefg1");
}

TEST(PasswordPolicy, NamesTheFieldItChecks) {
  expect_refused("short1", "newPassword");
  expect_refused("nodigitshere", "newPassword");
  expect_refused(
      "abc\xff"
      "defg1",
      "newPassword");
}

}  // namespace
}  // namespace clientele::commands
