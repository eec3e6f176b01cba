#pragma once
// The auth session ports (DESIGN.md §6, issue 6): refresh tokens and one-time codes. Both are
// secrets handed to a client once; a store keeps only hashes of them, and nothing personal.
//
// Every failure the client caused — an unknown, expired, revoked or reused token; a wrong,
// expired or used-up code — is errc::forbidden: the request carried no valid credential. The
// auth routes answer it with 401 (api/ chooses; errc::forbidden is 403 elsewhere).

#include <array>
#include <chrono>
#include <string>
#include <string_view>
#include <utility>

#include "domain/enums.hpp"
#include "domain/ids.hpp"
#include "domain/result.hpp"
#include "domain/time.hpp"

namespace clientele::commands {

// A refresh token lives this long from its issue (login) or rotation (DESIGN.md §6).
inline constexpr std::chrono::days kRefreshTokenLifetime{7};

// A refresh token as the client receives it.
struct RefreshToken {
  std::string token;      // opaque: base64url without padding of 32 random bytes; never stored
  std::string family_id;  // the session it belongs to (one login): 32 random hex digits
  Timestamp expires_at;   // issue or rotation time + kRefreshTokenLifetime
};

// The outcome of a rotation: whose session it is, and the token that replaces the presented one.
struct RotatedToken {
  UserId user;
  RefreshToken next;
};

// Refresh tokens, grouped in families: a family is one session, from a login to its logout or
// revocation; each rotation replaces the family's one valid token by a new one. Presenting a
// token of the family that was already rotated (reuse: it was stolen, or a client retried) revokes
// the family. Implementations are thread-safe, and every change is durable when it returns.
class RefreshTokenStore {
 public:
  virtual ~RefreshTokenStore() = default;

  // A new session for `user` (a customer id or an administrator id) and its first token.
  // errc::unavailable when the store cannot be written.
  virtual Result<RefreshToken> issue(const UserId& user, Timestamp now) = 0;

  // Replaces `token` by a new token of the same user and family. errc::forbidden when `token` is
  // unknown, expired, or of a revoked family; and when it was already rotated, which revokes its
  // family first. Atomic: of concurrent rotations of one token exactly one succeeds, and since the
  // others are reuses, they revoke the family (the winner's new token included).
  virtual Result<RotatedToken> rotate(std::string_view token, Timestamp now) = 0;

  // Revokes the family of `token` (logout). Idempotent: success as well for an unknown token.
  virtual Result<void> revoke(std::string_view token) = 0;

  // Revokes every family of `user` (password change or reset, status Inactive or Suspended,
  // erasure). A session issued concurrently with this call may survive it.
  virtual Result<void> revoke_all(const UserId& user) = 0;
};

// A one-time code lives this long, and dies after this many wrong attempts (issue 6).
inline constexpr std::chrono::minutes kCodeLifetime{10};
inline constexpr int kCodeAttempts = 5;

// What a one-time code or nonce proves. Each purpose keeps its own code per subject, and its own
// nonces.
enum class CodePurpose {
  password_reset,   // forgot-password, then reset-password
  phone_login,      // phone OTP request, then verify
  federated_login,  // the nonces of federated login (issue_nonce): one per ID token
};

}  // namespace clientele::commands

namespace clientele {

// The spellings are part of what a store hashes: renaming one voids the codes pending for it.
template <>
struct EnumNames<commands::CodePurpose> {
  static constexpr std::array<std::pair<commands::CodePurpose, std::string_view>, 3> values{{
      {commands::CodePurpose::password_reset, "password-reset"},
      {commands::CodePurpose::phone_login, "phone-login"},
      {commands::CodePurpose::federated_login, "federated-login"},
  }};
};

}  // namespace clientele

namespace clientele::commands {

// Six-digit codes sent to a customer out of band, and nonces handed to a client for one use.
// Implementations are thread-safe, and every change is durable when it returns.
class OneTimeCodeStore {
 public:
  virtual ~OneTimeCodeStore() = default;

  // A new code (6 decimal digits, uniformly random) for `purpose` and `subject`, an opaque string
  // of the caller's (the customer id); it replaces the pending one. Valid for kCodeLifetime.
  // errc::unavailable when the store cannot be written.
  virtual Result<std::string> issue_code(CodePurpose purpose, std::string_view subject,
                                         Timestamp now) = 0;

  // Success iff `code` is the pending code of `purpose` and `subject` and has not expired; the
  // code is then used up. errc::forbidden otherwise, with one message whatever the reason, so that
  // the answer tells nothing about the code; a wrong code counts an attempt, and the
  // kCodeAttempts-th wrong one kills the code.
  virtual Result<void> redeem_code(CodePurpose purpose, std::string_view subject,
                                   std::string_view code, Timestamp now) = 0;

  // A new nonce for `purpose`: 32 random bytes, base64url without padding (43 characters), valid
  // for kCodeLifetime. The store keeps only a keyed hash of it. errc::unavailable when the store
  // cannot be written.
  virtual Result<std::string> issue_nonce(CodePurpose purpose, Timestamp now) = 0;

  // Success iff `nonce` was issued for `purpose`, has not expired and was not redeemed before;
  // it is used up then. errc::forbidden (field "nonce") otherwise, with one message whatever the
  // reason.
  virtual Result<void> redeem_nonce(CodePurpose purpose, std::string_view nonce, Timestamp now) = 0;
};

}  // namespace clientele::commands
