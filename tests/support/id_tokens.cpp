#include "tests/support/id_tokens.hpp"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>

#include "api/jwt.hpp"

namespace clientele::testing {
namespace {

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

Pkey rsa_key(std::size_t bits) {
  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
  EXPECT_NE(key, nullptr);
  return key;
}

Pkey p256_key() {
  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  EXPECT_NE(key, nullptr);
  return key;
}

std::string number(const EVP_PKEY* key, const char* name, int size) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1) << name;
  std::string out(static_cast<std::size_t>(size > 0 ? size : BN_num_bytes(bn)), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return out;
}

nlohmann::json rsa_jwk(const std::string& kid, const EVP_PKEY* key) {
  return {{"kty", "RSA"},
          {"use", "sig"},
          {"alg", "RS256"},
          {"kid", kid},
          {"n", api::base64url_encode(number(key, OSSL_PKEY_PARAM_RSA_N))},
          {"e", api::base64url_encode(number(key, OSSL_PKEY_PARAM_RSA_E))}};
}

nlohmann::json p256_jwk(const std::string& kid, const EVP_PKEY* key) {
  return {{"kty", "EC"},
          {"crv", "P-256"},
          {"kid", kid},
          {"x", api::base64url_encode(number(key, OSSL_PKEY_PARAM_EC_PUB_X, 32))},
          {"y", api::base64url_encode(number(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
}

nlohmann::json key_set(std::vector<nlohmann::json> keys) {
  return {{"keys", std::move(keys)}};
}

nlohmann::json jws_header(const char* alg, const char* kid) {
  return {{"alg", alg}, {"kid", kid}, {"typ", "JWT"}};
}

std::string openssl_signature(EVP_PKEY* key, std::string_view input) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  std::size_t size = 0;
  EXPECT_EQ(EVP_DigestSignInit_ex(context, nullptr, "SHA256", nullptr, nullptr, key, nullptr), 1);
  EXPECT_EQ(EVP_DigestSign(context, nullptr, &size, bytes_of(input), input.size()), 1);
  std::string out(size, '\0');
  EXPECT_EQ(EVP_DigestSign(context, reinterpret_cast<unsigned char*>(out.data()), &size,
                           bytes_of(input), input.size()),
            1);
  EVP_MD_CTX_free(context);
  out.resize(size);
  return out;
}

std::string raw_of_der(const std::string& der) {
  const auto* in = bytes_of(der);
  ECDSA_SIG* signature = d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der.size()));
  EXPECT_NE(signature, nullptr);
  std::string out(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(signature), reinterpret_cast<unsigned char*>(out.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(signature), reinterpret_cast<unsigned char*>(out.data()) + 32, 32);
  ECDSA_SIG_free(signature);
  return out;
}

std::string signing_input(const nlohmann::json& header, const nlohmann::json& claims) {
  return api::base64url_encode(header.dump()) + "." + api::base64url_encode(claims.dump());
}

std::string rs256(EVP_PKEY* key, const nlohmann::json& header, const nlohmann::json& claims) {
  const auto input = signing_input(header, claims);
  return input + "." + api::base64url_encode(openssl_signature(key, input));
}

std::string es256(EVP_PKEY* key, const nlohmann::json& header, const nlohmann::json& claims) {
  const auto input = signing_input(header, claims);
  return input + "." + api::base64url_encode(raw_of_der(openssl_signature(key, input)));
}

}  // namespace clientele::testing
