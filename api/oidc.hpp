#pragma once
// Federated login (issue 6, item 4): verifying the OpenID Connect ID tokens that Google, Kakao and
// Apple issue to our apps, against each provider's public keys (a JSON Web Key Set, RFC 7517,
// read from a file named in the configuration). Only verification lives here; linking the external
// account and issuing our own tokens is the login route's business.
//
// A token is accepted iff all of these hold (OpenID Connect Core 1.0 §3.1.3.7):
//   - it is a compact JWS signed with RS256 or ES256 by a key of the provider's set. The key is
//     chosen by `kid` among that provider's keys alone; the header's `alg` must agree with the
//     key's type (RSA for RS256, EC P-256 for ES256) and with the key's own `alg` if it states
//     one, so a header can never pick an algorithm ("none", HS256 keyed with a public key, ...)
//     or a key type. Without `kid`, the set must hold exactly one key of the type `alg` names;
//   - `iss` is the provider's issuer. For Google, whose tokens may spell it either way, a
//     configured "https://accounts.google.com" also accepts "accounts.google.com";
//   - `aud` (a string or an array) holds one of the provider's audiences, and `azp`, when present,
//     is one of them too (so list every client id of ours: web, Android, iOS, Services ID);
//   - `exp` lies ahead and `iat` (required) and `nbf` (optional) do not lie ahead, each within
//     kLeeway (60 s): the provider's clock and ours may differ, and ID tokens live an hour or so;
//   - `nonce` equals the one our login flow issued (compared in constant time; a token without
//     one is refused, so a token minted for another flow cannot be replayed into ours);
//   - `sub` is a non-empty string of at most 255 bytes.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/result.hpp"
#include "domain/time.hpp"

namespace clientele::api {

// One identity provider, as the configuration names it.
struct OidcProvider {
  std::string name;                    // "google", "kakao" or "apple": what clients send
  std::string issuer;                  // the `iss` its tokens carry, e.g. "https://kauth.kakao.com"
  std::vector<std::string> audiences;  // our client ids with this provider (at least one)
  std::string jwks_path;               // its JSON Web Key Set, read once by OidcVerifier::load
};

// What a verified ID token says: only what linking or creating an account needs.
struct IdentityClaims {
  std::string provider;                    // the provider's name, as passed to verify
  std::string subject;                     // `sub`: the account's id at the provider, stable
  std::optional<std::string> email;        // `email`, when the token carries one
  bool email_verified = false;             // `email_verified` (true or "true"), false without email
  std::optional<std::string> given_name;   // `given_name`, when the token carries one
  std::optional<std::string> family_name;  // `family_name`, when the token carries one

  bool operator==(const IdentityClaims&) const = default;
};

// Verifies ID tokens against the keys of the configured providers. Immutable after load, so one
// verifier may be used from every thread at once. Owns OpenSSL keys: movable, not copyable.
class OidcVerifier {
 public:
  // How far the provider's clock may be off from ours, in either direction (see above).
  static constexpr std::chrono::seconds kLeeway{60};

  // Reads each provider's JWKS file once. Keys that are not for RS256/ES256 signatures (`use`
  // other than "sig", `alg` other than RS256/ES256, other key types or curves) are skipped;
  // RSA keys need `n` (at least 2048 bits) and `e`, EC keys `crv` P-256 and `x`, `y` (32 bytes
  // each), and either must pass OpenSSL's public-key check (odd modulus, odd exponent above 1;
  // a point of the curve). errc::invalid, naming the provider (and the key's `kid` when one
  // key is at fault, never key material), when a file cannot be read or is malformed, a usable
  // key is malformed, two usable keys share a `kid`, a provider has no usable key, no issuer or
  // no audience, or two providers share a name.
  static Result<OidcVerifier> load(std::vector<OidcProvider> providers);

  ~OidcVerifier();
  OidcVerifier(OidcVerifier&&) noexcept;
  OidcVerifier& operator=(OidcVerifier&&) noexcept;
  OidcVerifier(const OidcVerifier&) = delete;
  OidcVerifier& operator=(const OidcVerifier&) = delete;

  // Whether a provider of this name is configured.
  bool knows(std::string_view provider) const;

  // The claims of `id_token` if `provider` issued it to us for the login flow that issued
  // `expected_nonce` and it is valid at `now` (every check above). errc::not_found on field
  // "provider" when no provider has that name. Otherwise errc::invalid on field "idToken" (the
  // caller answers 401) whose message says which check failed ("oidc: bad signature", "oidc:
  // wrong audience", ...): short and free of token contents, fit for logs, never for the client.
  Result<IdentityClaims> verify(std::string_view provider, std::string_view id_token,
                                std::string_view expected_nonce, Timestamp now) const;

 private:
  struct Keys;
  explicit OidcVerifier(std::unique_ptr<const Keys> keys);

  std::unique_ptr<const Keys> keys_;  // every provider with its keys; null once moved from
};

// The `nonce` claim that an ID token of `provider` carries for the nonce `issued` by our login
// flow. Apple's apps pass Apple the SHA-256 of the nonce (64 lower-case hex digits), which Apple
// then puts into its tokens; the other providers' tokens carry the nonce itself.
std::string expected_nonce(std::string_view provider, std::string_view issued);

}  // namespace clientele::api
