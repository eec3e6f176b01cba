#pragma once
// The auth session ports (commands/auth_sessions.hpp) and the administrators
// (commands/administrators.hpp) on their own RocksDB database: the service
// keeps it in DATA/auth. Nothing personal and no secret is stored: a refresh token only as its
// SHA-256, a one-time code only as an HMAC under a key derived from the caller's secret, and the
// subject of a code and a nonce only as an HMAC too. Every write is one WriteBatch, synced before
// the call returns, so that a revocation, a rotation or a counted attempt survives a crash.

#include <cstddef>
#include <filesystem>
#include <memory>

#include "commands/administrators.hpp"
#include "commands/auth_sessions.hpp"
#include "events/crypto.hpp"

namespace clientele::infra {

class RocksDbAuthStore final : public commands::RefreshTokenStore,
                               public commands::OneTimeCodeStore,
                               public commands::AdministratorStore {
 public:
  // Opens (or creates) the store in `directory`. `secret` keys the hashes of one-time codes and
  // of their subjects: keep it outside the data directory, like the pepper (a key derived from
  // the pepper for this purpose will do). Reopening with another secret loses the pending codes
  // (they no longer match) and nothing else. errc::unavailable when the database cannot be opened.
  static Result<std::unique_ptr<RocksDbAuthStore>> open(const std::filesystem::path& directory,
                                                        events::SecretKey secret);
  ~RocksDbAuthStore() override;
  RocksDbAuthStore(const RocksDbAuthStore&) = delete;
  RocksDbAuthStore& operator=(const RocksDbAuthStore&) = delete;

  Result<commands::RefreshToken> issue(const UserId& user, Timestamp now) override;
  Result<commands::RotatedToken> rotate(std::string_view token, Timestamp now) override;
  Result<void> revoke(std::string_view token) override;
  Result<void> revoke_all(const UserId& user) override;

  Result<std::string> issue_code(commands::CodePurpose purpose, std::string_view subject,
                                 Timestamp now) override;
  Result<void> redeem_code(commands::CodePurpose purpose, std::string_view subject,
                           std::string_view code, Timestamp now) override;
  Result<std::string> issue_nonce(commands::CodePurpose purpose, Timestamp now) override;
  Result<void> redeem_nonce(commands::CodePurpose purpose, std::string_view nonce,
                            Timestamp now) override;

  Result<commands::Administrator> create_administrator(std::string_view email_key,
                                                       std::string password_hash,
                                                       Timestamp now) override;
  Result<std::optional<commands::Administrator>> administrator_by_email(
      std::string_view email_key) override;
  Result<std::optional<commands::Administrator>> administrator(const UserId& id) override;

  // Deletes every token, session, code and nonce that expired at `now`; returns how many rows it
  // deleted. Expired rows are harmless (they are refused as expired), so the service calls this
  // now and then; it holds up the other operations while it scans the store.
  Result<std::size_t> purge_expired(Timestamp now);

 private:
  struct Impl;
  explicit RocksDbAuthStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;  // the database, the hashing keys, the locks
};

}  // namespace clientele::infra
