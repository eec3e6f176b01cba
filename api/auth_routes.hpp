#pragma once
// The auth routes (DESIGN.md §6, issue 6) under /api/v1/auth:
//   POST /register         email, password, firstName, lastName, [phone, dateOfBirth, gender,
//                          preferences, marketingEmails, marketingSms]     201 + tokens
//                          (with Idempotency-Key: idempotency.hpp)
//   POST /login            email or username, password                     200 + tokens
//   POST /refresh          refreshToken                                     200 + tokens
//   POST /logout           refreshToken                                     200
//   POST /phone/request    phone (E.164): a login code goes out by SMS      202
//   POST /phone/verify     phone, code                                      200 + tokens
//   POST /forgot-password  email: a reset code goes out by email            202
//   POST /reset-password   email, code, newPassword                         200
//   PUT  /change-password  currentPassword, newPassword (a customer)        200 (If-Match: 412)
//   POST /federated/nonce  (no body): a nonce for one federated login       201 {nonce, expiresIn}
//   POST /federated        provider, idToken, nonce, [email, firstName,     200 + tokens, or 201
//                          lastName] (with Idempotency-Key)                 + tokens (registered)
//   POST /federated/link   provider, idToken, nonce (a customer; with       200
//                          Idempotency-Key)
// Tokens: {customerId, accessToken, refreshToken, tokenType: "Bearer", expiresIn (seconds)}.
// Wrong credentials and refresh tokens that are not valid are 401 with one message, whatever the
// reason; an Inactive or Suspended customer is 403. Every route is rate limited per client
// address, and logins back off per account and per address: 429 with Retry-After.
//
// Federated login (AuthService::federated_login): the nonce is used up first (unknown, expired or
// used: 401 on "nonce"), then the ID token is verified against it (oidc.hpp; for Apple against its
// SHA-256, expected_nonce) and refused with one message whatever is wrong with it (401 on
// "idToken"). A provider that is not configured is 400 on "provider", before the nonce is used.

#include <functional>

#include "api/idempotency.hpp"
#include "api/jwt.hpp"
#include "api/oidc.hpp"
#include "api/router.hpp"
#include "api/throttle.hpp"
#include "commands/auth_service.hpp"

namespace clientele::api {

struct AuthRoutes {
  commands::AuthService& auth;
  const JwtCodec& tokens;
  LoginBackoff& backoff;
  RateLimiter& rate_limit;
  Idempotency& idempotency;                  // register, federated login and link
  std::function<Timestamp()> clock;          // token times
  std::function<Instant()> monotonic_clock;  // throttling
  // The identity providers of federated login; null when none is configured.
  const OidcVerifier* identity_providers = nullptr;
  Log log = nullptr;  // where refused ID tokens are reported (the provider and why); null: nowhere
};

// Adds the routes above to `router`. `routes`' members must outlive the router.
Result<void> add_auth_routes(Router& router, const AuthRoutes& routes);

}  // namespace clientele::api
