// The RocksDB auth session store: refresh tokens (rotation, reuse, revocation, expiry), one-time
// codes (attempts, expiry, replacement) and nonces (single use, expiry), across reopening and
// under concurrent rotation and redemption.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <latch>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "infra/rocksdb_auth_store.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::infra {
namespace {

using commands::CodePurpose;
using commands::kCodeLifetime;
using commands::kRefreshTokenLifetime;
using events::SecretKey;
using testing::files_containing;
using testing::TempDir;
using namespace std::chrono_literals;

const UserId kAda("CUST_0000ada1");
const UserId kBob("CUST_0000b0b1");
const Timestamp kT0 = std::chrono::sys_days{std::chrono::year{2026} / 1 / 20} + 9h;

SecretKey copy_of(const SecretKey& key) {
  return SecretKey(key.bytes());
}

class AuthStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<RocksDbAuthStore> open() { return open_with(secret_); }
  std::unique_ptr<RocksDbAuthStore> open_with(const SecretKey& secret) {
    auto store = RocksDbAuthStore::open(dir_.path() / "auth", copy_of(secret));
    if (!store) throw std::runtime_error(store.error().message);
    return std::move(*store);
  }

  commands::RefreshToken issue(RocksDbAuthStore& store, const UserId& user, Timestamp now = kT0) {
    auto issued = store.issue(user, now);
    if (!issued) throw std::runtime_error(issued.error().message);
    return *issued;
  }
  commands::RotatedToken rotate(RocksDbAuthStore& store, std::string_view token, Timestamp now) {
    auto rotated = store.rotate(token, now);
    if (!rotated) throw std::runtime_error(rotated.error().message);
    return *rotated;
  }
  std::string code(RocksDbAuthStore& store, std::string_view subject, Timestamp now = kT0,
                   CodePurpose purpose = CodePurpose::password_reset) {
    auto issued = store.issue_code(purpose, subject, now);
    if (!issued) throw std::runtime_error(issued.error().message);
    return *issued;
  }
  std::string nonce(RocksDbAuthStore& store, Timestamp now = kT0) {
    auto issued = store.issue_nonce(CodePurpose::federated_login, now);
    if (!issued) throw std::runtime_error(issued.error().message);
    return *issued;
  }

  TempDir dir_;
  SecretKey secret_ = SecretKey::random();
};

void expect_forbidden(const Result<commands::RotatedToken>& rotated) {
  ASSERT_FALSE(rotated.ok());
  EXPECT_EQ(rotated.error().code, errc::forbidden);
}
void expect_forbidden(const Result<void>& redeemed) {
  ASSERT_FALSE(redeemed.ok());
  EXPECT_EQ(redeemed.error().code, errc::forbidden);
}

// A six-digit code that is not `code`.
std::string other_than(const std::string& code, int offset = 1) {
  char digits[8];
  std::snprintf(digits, sizeof digits, "%06d", (std::stoi(code) + offset) % 1'000'000);
  return digits;
}

// Refresh tokens.

TEST_F(AuthStoreTest, IssuesAnOpaqueTokenOfThirtyTwoRandomBytesForSevenDays) {
  auto store = open();
  const auto first = issue(*store, kAda);
  const auto second = issue(*store, kAda);
  EXPECT_EQ(first.token.size(), 43u);  // base64url of 32 bytes, no padding
  EXPECT_TRUE(std::all_of(first.token.begin(), first.token.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  })) << first.token;
  EXPECT_EQ(first.family_id.size(), 32u);
  EXPECT_EQ(first.expires_at, kT0 + kRefreshTokenLifetime);
  EXPECT_NE(first.token, second.token);
  EXPECT_NE(first.family_id, second.family_id);
}

TEST_F(AuthStoreTest, RotationGivesANewTokenOfTheSameUserAndFamily) {
  auto store = open();
  const auto issued = issue(*store, kAda);
  auto rotated = store->rotate(issued.token, kT0 + 1h);
  ASSERT_TRUE(rotated.ok()) << rotated.error().message;
  EXPECT_EQ(rotated->user, kAda);
  EXPECT_EQ(rotated->next.family_id, issued.family_id);
  EXPECT_NE(rotated->next.token, issued.token);
  EXPECT_EQ(rotated->next.expires_at, kT0 + 1h + kRefreshTokenLifetime);
  auto again = store->rotate(rotated->next.token, kT0 + 2h);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->user, kAda);
}

TEST_F(AuthStoreTest, ReusingARotatedTokenFailsAndRevokesItsFamilyOnly) {
  auto store = open();
  const auto issued = issue(*store, kAda);
  const auto other_session = issue(*store, kAda);
  const auto rotated = rotate(*store, issued.token, kT0 + 1h);

  expect_forbidden(store->rotate(issued.token, kT0 + 2h));
  // The thief's reuse took the legitimate holder's current token down with it.
  expect_forbidden(store->rotate(rotated.next.token, kT0 + 2h));
  EXPECT_TRUE(store->rotate(other_session.token, kT0 + 2h).ok());
}

TEST_F(AuthStoreTest, UnknownTokensAreRefused) {
  auto store = open();
  issue(*store, kAda);
  expect_forbidden(store->rotate("", kT0));
  expect_forbidden(store->rotate("not-a-token", kT0));
  expect_forbidden(store->rotate(std::string(43, 'A'), kT0));
}

TEST_F(AuthStoreTest, ATokenExpiresAfterSevenDays) {
  auto store = open();
  const auto kept = issue(*store, kAda);
  const auto left = issue(*store, kAda);
  EXPECT_TRUE(store->rotate(kept.token, kT0 + kRefreshTokenLifetime - 1ms).ok());
  expect_forbidden(store->rotate(left.token, kT0 + kRefreshTokenLifetime));
}

TEST_F(AuthStoreTest, LogoutRevokesTheSessionAndIsIdempotent) {
  auto store = open();
  const auto issued = issue(*store, kAda);
  const auto rotated = rotate(*store, issued.token, kT0 + 1h);
  ASSERT_TRUE(store->revoke(rotated.next.token).ok());
  expect_forbidden(store->rotate(rotated.next.token, kT0 + 2h));
  EXPECT_TRUE(store->revoke(rotated.next.token).ok());
  EXPECT_TRUE(store->revoke(issued.token).ok());
  EXPECT_TRUE(store->revoke("never issued").ok());
}

TEST_F(AuthStoreTest, LogoutWithARotatedTokenStillEndsTheSession) {
  auto store = open();
  const auto issued = issue(*store, kAda);
  const auto rotated = rotate(*store, issued.token, kT0 + 1h);
  ASSERT_TRUE(store->revoke(issued.token).ok());
  expect_forbidden(store->rotate(rotated.next.token, kT0 + 2h));
}

TEST_F(AuthStoreTest, RevokeAllEndsEverySessionOfOneUserAndNoOtherUsers) {
  auto store = open();
  const auto ada_phone = issue(*store, kAda);
  const auto ada_laptop = issue(*store, kAda);
  const auto ada_rotated = rotate(*store, ada_laptop.token, kT0 + 1h);
  const auto bob = issue(*store, kBob);
  // A user whose id starts with Ada's followed by '/' is someone else.
  const UserId ada_prefixed(kAda.str() + "/x");
  const auto prefixed = issue(*store, ada_prefixed);

  ASSERT_TRUE(store->revoke_all(kAda).ok());
  expect_forbidden(store->rotate(ada_phone.token, kT0 + 2h));
  expect_forbidden(store->rotate(ada_rotated.next.token, kT0 + 2h));
  EXPECT_TRUE(store->rotate(bob.token, kT0 + 2h).ok());
  EXPECT_TRUE(store->rotate(prefixed.token, kT0 + 2h).ok());
  EXPECT_TRUE(store->revoke_all(kAda).ok());
  EXPECT_TRUE(store->revoke_all(UserId("CUST_nobody00")).ok());
  // A new login after the revocation works.
  EXPECT_TRUE(store->rotate(issue(*store, kAda, kT0 + 3h).token, kT0 + 4h).ok());
}

TEST_F(AuthStoreTest, SessionsAndRevocationsSurviveReopening) {
  std::string current, rotated_away, revoked;
  {
    auto store = open();
    const auto issued = issue(*store, kAda);
    const auto rotated = rotate(*store, issued.token, kT0 + 1h);
    rotated_away = issued.token;
    current = rotated.next.token;
    revoked = issue(*store, kBob).token;
    ASSERT_TRUE(store->revoke(revoked).ok());
  }
  auto store = open();
  expect_forbidden(store->rotate(revoked, kT0 + 2h));
  auto rotated = store->rotate(current, kT0 + 2h);
  ASSERT_TRUE(rotated.ok()) << rotated.error().message;
  EXPECT_EQ(rotated->user, kAda);
  // Reuse is still recognized after reopening.
  expect_forbidden(store->rotate(rotated_away, kT0 + 3h));
  expect_forbidden(store->rotate(rotated->next.token, kT0 + 3h));
}

TEST_F(AuthStoreTest, OfConcurrentRotationsOfOneTokenExactlyOneWinsAndTheFamilyIsRevoked) {
  auto store = open();
  constexpr int kThreads = 8;
  for (int round = 0; round < 10; ++round) {
    const auto issued = issue(*store, kAda);
    std::latch start(kThreads);
    std::atomic<int> winners{0};
    std::atomic<int> refused{0};
    std::vector<std::string> next(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        auto rotated = store->rotate(issued.token, kT0 + 1h);
        if (rotated) {
          ++winners;
          next[i] = rotated->next.token;
        } else if (rotated.error().code == errc::forbidden) {
          ++refused;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    ASSERT_EQ(winners.load(), 1) << "round " << round;
    ASSERT_EQ(refused.load(), kThreads - 1) << "round " << round;
    const auto winner = *std::find_if(next.begin(), next.end(), [](auto& t) { return !t.empty(); });
    expect_forbidden(store->rotate(winner, kT0 + 2h));
  }
}

TEST_F(AuthStoreTest, ConcurrentSessionsOfManyUsersRotateIndependently) {
  auto store = open();
  constexpr int kThreads = 4;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      std::string user = "CUST_0000000";
      user += std::to_string(i);
      auto token = issue(*store, UserId(user)).token;
      for (int k = 1; k <= 20; ++k) {
        auto rotated = store->rotate(token, kT0 + std::chrono::minutes(k));
        if (!rotated) {
          ++failures;
          return;
        }
        token = rotated->next.token;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(AuthStoreTest, PurgeDeletesWhatExpiredAndNothingElse) {
  auto store = open();
  const auto old = issue(*store, kAda);
  const auto fresh = issue(*store, kBob, kT0 + 1h);
  const auto old_code = code(*store, "CUST_0000ada1");
  const auto fresh_code = code(*store, "CUST_0000b0b1", kT0 + 1h);

  auto purged = store->purge_expired(kT0 + kRefreshTokenLifetime);
  ASSERT_TRUE(purged.ok()) << purged.error().message;
  EXPECT_EQ(*purged, 4u);  // Ada's token, her session, both codes
  expect_forbidden(store->rotate(old.token, kT0 + kRefreshTokenLifetime));
  EXPECT_TRUE(store->rotate(fresh.token, kT0 + kRefreshTokenLifetime).ok());
  auto again = store->purge_expired(kT0 + kRefreshTokenLifetime);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
  EXPECT_TRUE(store->revoke_all(kAda).ok());
}

TEST_F(AuthStoreTest, StoresNeitherTokensNorCodeSubjectsAsThemselves) {
  const std::string subject = "subject-Zq7xPIImark";
  std::vector<std::string> tokens;
  {
    auto store = open();
    const auto issued = issue(*store, kAda);
    const auto rotated = rotate(*store, issued.token, kT0 + 1h);
    tokens = {issued.token, rotated.next.token, issue(*store, kBob).token};
    code(*store, subject);
  }
  for (const auto& token : tokens) EXPECT_EQ(files_containing({dir_.path()}, token).size(), 0u);
  EXPECT_EQ(files_containing({dir_.path()}, subject).size(), 0u);
  EXPECT_FALSE(files_containing({dir_.path()}, kAda.str()).empty());  // the search does work
}

// One-time codes.

TEST_F(AuthStoreTest, ACodeIsSixDigitsAndRedeemsOnce) {
  auto store = open();
  const auto issued = code(*store, "CUST_0000ada1");
  ASSERT_EQ(issued.size(), 6u);
  EXPECT_TRUE(
      std::all_of(issued.begin(), issued.end(), [](char c) { return c >= '0' && c <= '9'; }));
  EXPECT_TRUE(
      store->redeem_code(CodePurpose::password_reset, "CUST_0000ada1", issued, kT0 + 1min).ok());
  expect_forbidden(
      store->redeem_code(CodePurpose::password_reset, "CUST_0000ada1", issued, kT0 + 2min));
}

TEST_F(AuthStoreTest, FiveWrongCodesKillTheCode) {
  auto store = open();
  const auto issued = code(*store, "CUST_0000ada1");
  for (int i = 1; i <= commands::kCodeAttempts; ++i) {
    expect_forbidden(store->redeem_code(CodePurpose::password_reset, "CUST_0000ada1",
                                        other_than(issued, i), kT0 + 1min));
  }
  expect_forbidden(
      store->redeem_code(CodePurpose::password_reset, "CUST_0000ada1", issued, kT0 + 2min));
}

TEST_F(AuthStoreTest, FourWrongCodesLeaveTheLastAttempt) {
  auto store = open();
  const auto issued = code(*store, "CUST_0000ada1");
  for (int i = 1; i < commands::kCodeAttempts; ++i) {
    expect_forbidden(store->redeem_code(CodePurpose::password_reset, "CUST_0000ada1",
                                        other_than(issued, i), kT0 + 1min));
  }
  EXPECT_TRUE(
      store->redeem_code(CodePurpose::password_reset, "CUST_0000ada1", issued, kT0 + 2min).ok());
}

TEST_F(AuthStoreTest, SomethingElseThanSixDigitsCountsAsAWrongAttempt) {
  auto store = open();
  const auto issued = code(*store, "CUST_0000ada1");
  for (const auto* malformed : {"", "12345", "1234567", "abcdef", " 12345"}) {
    expect_forbidden(
        store->redeem_code(CodePurpose::password_reset, "CUST_0000ada1", malformed, kT0));
  }
  expect_forbidden(store->redeem_code(CodePurpose::password_reset, "CUST_0000ada1", issued, kT0));
}

TEST_F(AuthStoreTest, ACodeExpiresAfterTenMinutes) {
  auto store = open();
  const auto late = code(*store, "CUST_0000ada1");
  expect_forbidden(
      store->redeem_code(CodePurpose::password_reset, "CUST_0000ada1", late, kT0 + kCodeLifetime));
  const auto in_time = code(*store, "CUST_0000ada1", kT0 + 1h);
  EXPECT_TRUE(store
                  ->redeem_code(CodePurpose::password_reset, "CUST_0000ada1", in_time,
                                kT0 + 1h + kCodeLifetime - 1ms)
                  .ok());
}

TEST_F(AuthStoreTest, ANewCodeReplacesThePendingOne) {
  auto store = open();
  const auto first = code(*store, "CUST_0000ada1");
  auto second = code(*store, "CUST_0000ada1", kT0 + 1min);
  while (second == first) second = code(*store, "CUST_0000ada1", kT0 + 1min);
  expect_forbidden(
      store->redeem_code(CodePurpose::password_reset, "CUST_0000ada1", first, kT0 + 2min));
  EXPECT_TRUE(
      store->redeem_code(CodePurpose::password_reset, "CUST_0000ada1", second, kT0 + 2min).ok());
}

TEST_F(AuthStoreTest, ACodeHoldsForItsPurposeAndSubjectOnly) {
  auto store = open();
  const auto reset = code(*store, "CUST_0000ada1");
  expect_forbidden(store->redeem_code(CodePurpose::phone_login, "CUST_0000ada1", reset, kT0));
  expect_forbidden(store->redeem_code(CodePurpose::password_reset, "CUST_0000b0b1", reset, kT0));
  const auto login = code(*store, "CUST_0000ada1", kT0, CodePurpose::phone_login);
  EXPECT_TRUE(store->redeem_code(CodePurpose::password_reset, "CUST_0000ada1", reset, kT0).ok());
  EXPECT_TRUE(store->redeem_code(CodePurpose::phone_login, "CUST_0000ada1", login, kT0).ok());
}

TEST_F(AuthStoreTest, CodesAndTheirAttemptsSurviveReopening) {
  std::string counted, kept;
  {
    auto store = open();
    counted = code(*store, "CUST_0000ada1");
    kept = code(*store, "CUST_0000b0b1");
    for (int i = 1; i <= 3; ++i) {
      expect_forbidden(store->redeem_code(CodePurpose::password_reset, "CUST_0000ada1",
                                          other_than(counted, i), kT0));
    }
  }
  auto store = open();
  EXPECT_TRUE(store->redeem_code(CodePurpose::password_reset, "CUST_0000b0b1", kept, kT0).ok());
  for (int i = 4; i <= commands::kCodeAttempts; ++i) {
    expect_forbidden(store->redeem_code(CodePurpose::password_reset, "CUST_0000ada1",
                                        other_than(counted, i), kT0));
  }
  expect_forbidden(store->redeem_code(CodePurpose::password_reset, "CUST_0000ada1", counted, kT0));
}

TEST_F(AuthStoreTest, ACodeDoesNotMatchUnderAnotherSecret) {
  std::string issued;
  {
    auto store = open();
    issued = code(*store, "CUST_0000ada1");
  }
  auto store = open_with(SecretKey::random());
  expect_forbidden(store->redeem_code(CodePurpose::password_reset, "CUST_0000ada1", issued, kT0));
}

TEST_F(AuthStoreTest, EveryRefusalOfACodeReadsTheSame) {
  auto store = open();
  const auto none = store->redeem_code(CodePurpose::password_reset, "CUST_0000ada1", "123456", kT0);
  const auto issued = code(*store, "CUST_0000ada1");
  const auto wrong =
      store->redeem_code(CodePurpose::password_reset, "CUST_0000ada1", other_than(issued), kT0);
  const auto expired =
      store->redeem_code(CodePurpose::password_reset, "CUST_0000ada1", issued, kT0 + kCodeLifetime);
  ASSERT_FALSE(none.ok());
  ASSERT_FALSE(wrong.ok());
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(none.error(), wrong.error());
  EXPECT_EQ(wrong.error(), expired.error());
}

// Nonces.

TEST_F(AuthStoreTest, ANonceRedeemsOnceForItsPurpose) {
  auto store = open();
  const auto issued = nonce(*store);
  EXPECT_EQ(issued.size(), 43u) << "32 bytes, base64url without padding";
  EXPECT_NE(issued, nonce(*store));
  expect_forbidden(store->redeem_nonce(CodePurpose::phone_login, issued, kT0));
  EXPECT_TRUE(store->redeem_nonce(CodePurpose::federated_login, issued, kT0 + 1min).ok());
  const auto again = store->redeem_nonce(CodePurpose::federated_login, issued, kT0 + 1min);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, errc::forbidden);
  EXPECT_EQ(again.error().field, "nonce");
  const auto unknown = store->redeem_nonce(CodePurpose::federated_login, "made-up", kT0);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error(), again.error()) << "one answer whatever the reason";
}

TEST_F(AuthStoreTest, ANonceExpiresAfterTenMinutes) {
  auto store = open();
  const auto in_time = nonce(*store);
  EXPECT_TRUE(
      store->redeem_nonce(CodePurpose::federated_login, in_time, kT0 + kCodeLifetime - 1ms).ok());
  const auto late = nonce(*store);
  expect_forbidden(store->redeem_nonce(CodePurpose::federated_login, late, kT0 + kCodeLifetime));
  expect_forbidden(store->redeem_nonce(CodePurpose::federated_login, late, kT0));
}

TEST_F(AuthStoreTest, NoncesSurviveReopeningAndAreStoredOnlyAsHashes) {
  std::string issued;
  {
    auto store = open();
    issued = nonce(*store);
  }
  EXPECT_EQ(files_containing({dir_.path()}, issued).size(), 0u);
  auto store = open();
  EXPECT_TRUE(store->redeem_nonce(CodePurpose::federated_login, issued, kT0).ok());
}

TEST_F(AuthStoreTest, ExpiredNoncesArePurged) {
  auto store = open();
  nonce(*store);
  const auto fresh = nonce(*store, kT0 + 1h);
  auto purged = store->purge_expired(kT0 + kCodeLifetime);
  ASSERT_TRUE(purged.ok()) << purged.error().message;
  EXPECT_EQ(*purged, 1u);
  EXPECT_TRUE(store->redeem_nonce(CodePurpose::federated_login, fresh, kT0 + 1h).ok());
}

TEST_F(AuthStoreTest, OfConcurrentRedemptionsOfANonceExactlyOneSucceeds) {
  auto store = open();
  constexpr int kThreads = 8;
  for (int round = 0; round < 10; ++round) {
    const auto issued = nonce(*store);
    std::latch start(kThreads);
    std::atomic<int> redeemed{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&] {
        start.arrive_and_wait();
        redeemed += store->redeem_nonce(CodePurpose::federated_login, issued, kT0).ok();
      });
    }
    for (auto& thread : threads) thread.join();
    ASSERT_EQ(redeemed.load(), 1) << "round " << round;
  }
}

}  // namespace
}  // namespace clientele::infra
