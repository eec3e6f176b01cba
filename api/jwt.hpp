#pragma once
// Access tokens (DESIGN.md §6): JSON Web Tokens signed with HMAC-SHA256 (HS256), short-lived
// (15 minutes by default), carrying who the caller is and in which role.
//
// The server alone chooses the algorithm: a token is verified as HS256 whatever its header
// claims, and a header naming anything else ("none", "HS512", "RS256", ...) is refused, so a
// client can never pick a weaker or a public-key algorithm. `iss`, `aud` and `exp` are always
// checked; `nbf` and `iat` must not lie in the future.
//
// Clocks of the machines involved may differ a little: every time check allows kLeeway (30 s),
// small beside the 15-minute lifetime, so a token is honoured at most 30 s past its `exp`.

#include <chrono>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "domain/context.hpp"
#include "domain/result.hpp"
#include "domain/time.hpp"
#include "events/crypto.hpp"

namespace clientele::api {

// What a verified access token says.
struct AccessClaims {
  std::string subject;   // `sub`: the customer id or the administrator's user id
  Role role{};           // `role`: Customer or Administrator (never System)
  Timestamp issued_at;   // `iat`, whole seconds
  Timestamp expires_at;  // `exp`, whole seconds
  std::string token_id;  // `jti`: random, unique per token (for logs and revocation lists)

  bool operator==(const AccessClaims&) const = default;
};

// Issues and verifies access tokens with one secret. Immutable after construction, so one codec
// may be used from every thread at once. Holds the secret: not copyable.
class JwtCodec {
 public:
  // How far a clock may be off in either direction (see above).
  static constexpr std::chrono::seconds kLeeway{30};

  // `secret` signs and checks every token; `issuer` and `audience` are written into `iss` and
  // `aud` and required of every token verified; tokens expire `lifetime` after issue.
  JwtCodec(events::SecretKey secret, std::string issuer, std::string audience,
           std::chrono::seconds lifetime = std::chrono::minutes(15));
  JwtCodec(JwtCodec&&) noexcept = default;
  JwtCodec& operator=(JwtCodec&&) noexcept = default;

  // A signed token for `subject` (an opaque id, never personal data: tokens are readable by
  // whoever holds them) in `role` (Customer or Administrator: a System token never verifies),
  // issued at `now` (rounded down to the second) with a fresh random `jti`.
  std::string issue(std::string_view subject, Role role, Timestamp now) const;

  // The claims of `token` if it is a well-formed HS256 JWT signed with this codec's secret, for
  // this issuer and audience, valid at `now` (within kLeeway), naming a subject and a role
  // Customer or Administrator. Otherwise errc::forbidden (the request carries no valid
  // credential, as in commands/auth_sessions.hpp) whose message says which check failed
  // ("jwt: expired", "jwt: algorithm not allowed", ...), short and free of token contents: fit
  // for logs, never for the client, which learns only that it is unauthenticated (401).
  Result<AccessClaims> verify(std::string_view token, Timestamp now) const;

  // How long the tokens issued live (what the API answers as `expiresIn`).
  std::chrono::seconds lifetime() const { return lifetime_; }

 private:
  events::SecretKey secret_;       // the HMAC-SHA256 key
  std::string issuer_;             // `iss` written and required
  std::string audience_;           // `aud` written and required
  std::chrono::seconds lifetime_;  // `exp` - `iat` of the tokens issued
};

// Unpadded base64url (RFC 4648 §5), the spelling of every JWT segment (and of JWK numbers).
std::string base64url_encode(std::string_view bytes);
// The bytes `text` spells in unpadded base64url, or nullopt unless all of it is exactly that
// (one spelling per byte string: padding, other characters and non-zero leftover bits refused).
std::optional<std::string> base64url_decode(std::string_view text);
// The JSON object the base64url `segment` of a JWT spells, or nullopt when it is not base64url,
// not JSON or not an object.
std::optional<nlohmann::json> decode_json_segment(std::string_view segment);

}  // namespace clientele::api
