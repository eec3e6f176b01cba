#pragma once
// OpenID Connect ID tokens made as a provider makes them (api/oidc.hpp verifies them): keys made
// with OpenSSL, published as JSON Web Keys, and compact JWS tokens signed RS256 or ES256 by hand.
// Failures of OpenSSL are test failures. A test target that includes this links OpenSSL::Crypto.

#include <openssl/evp.h>

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace clientele::testing {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// A new RSA key of `bits`, and a new EC key on P-256.
Pkey rsa_key(std::size_t bits = 2048);
Pkey p256_key();

// The big-endian bytes of the number parameter `name` (OSSL_PKEY_PARAM_...) of `key`, left-padded
// to `size` if given.
std::string number(const EVP_PKEY* key, const char* name, int size = 0);

// `key`'s public key as a JWK with `kid`: RSA for RS256, and EC P-256.
nlohmann::json rsa_jwk(const std::string& kid, const EVP_PKEY* key);
nlohmann::json p256_jwk(const std::string& kid, const EVP_PKEY* key);

// A JSON Web Key Set of `keys`.
nlohmann::json key_set(std::vector<nlohmann::json> keys);

// {"alg": alg, "kid": kid, "typ": "JWT"}.
nlohmann::json jws_header(const char* alg, const char* kid);

// `key`'s signature over the SHA-256 of `input`, as OpenSSL gives it (PKCS #1 v1.5 for RSA, DER
// for ECDSA).
std::string openssl_signature(EVP_PKEY* key, std::string_view input);

// The JWS form of a DER ECDSA P-256 signature: r || s, 32 bytes each.
std::string raw_of_der(const std::string& der);

// base64url(header) "." base64url(claims): what a JWS signature covers.
std::string signing_input(const nlohmann::json& header, const nlohmann::json& claims);

// The compact JWS of `claims` under `header`, signed by `key`: RS256 (an RSA key), ES256 (P-256).
std::string rs256(EVP_PKEY* key, const nlohmann::json& header, const nlohmann::json& claims);
std::string es256(EVP_PKEY* key, const nlohmann::json& header, const nlohmann::json& claims);

}  // namespace clientele::testing
