// OpenID Connect ID tokens (api/oidc.hpp): keys made with OpenSSL, published in JWKS files as a
// provider would, and tokens signed by hand (tests/support/id_tokens.hpp). A token signed as the
// provider signs verifies with its claims; every token that differs in one respect is refused for
// the reason expected; and key sets that are not sound do not load.

#include "api/oidc.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "api/jwt.hpp"
#include "tests/support/files.hpp"
#include "tests/support/id_tokens.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::api {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::es256;
using testing::jws_header;
using testing::key_set;
using testing::number;
using testing::openssl_signature;
using testing::p256_jwk;
using testing::p256_key;
using testing::Pkey;
using testing::rs256;
using testing::rsa_jwk;
using testing::rsa_key;
using testing::signing_input;
using testing::write_file;

constexpr const char* kGoogleIssuer = "https://accounts.google.com";
constexpr const char* kWebClient = "1234-web.apps.googleusercontent.com";
constexpr const char* kAndroidClient = "1234-android.apps.googleusercontent.com";
constexpr const char* kKakaoIssuer = "https://kauth.kakao.com";
constexpr const char* kKakaoApp = "kakao-app-key";
constexpr const char* kNonce = "n-0S6_WzA2Mj";

// Now is 2026-01-20T14:30:00.123Z: kSeconds and a fraction.
constexpr std::int64_t kSeconds = 1'768'919'400;
const Timestamp kNow = Timestamp(std::chrono::seconds(kSeconds)) + 123ms;

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// ---- What an attacker would make ----

std::string hmac_sha256(std::string_view secret, std::string_view input) {
  std::string out(32, '\0');
  std::size_t size = 0;
  EXPECT_NE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                      bytes_of(input), input.size(), reinterpret_cast<unsigned char*>(out.data()),
                      out.size(), &size),
            nullptr);
  return out;
}

// `key`'s public key as PEM SubjectPublicKeyInfo: what an attacker would use as an HMAC secret.
std::string public_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  EXPECT_EQ(PEM_write_bio_PUBKEY(bio, key), 1);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return out;
}

// ---- Tokens ----

std::vector<std::string> segments(const std::string& token) {
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  return {token.substr(0, first), token.substr(first + 1, second - first - 1),
          token.substr(second + 1)};
}

// What Google writes into an ID token for our web client, issued 10 s before kNow.
json google_claims() {
  return {{"iss", kGoogleIssuer},
          {"aud", kWebClient},
          {"azp", kWebClient},
          {"sub", "110169484474386276334"},
          {"email", "ada@example.com"},
          {"email_verified", true},
          {"given_name", "Ada"},
          {"family_name", "Lovelace"},
          {"nonce", kNonce},
          {"iat", kSeconds - 10},
          {"exp", kSeconds + 3590}};
}

// What Kakao writes into an ID token for our app.
json kakao_claims() {
  auto claims = google_claims();
  claims["iss"] = kKakaoIssuer;
  claims["aud"] = kKakaoApp;
  claims.erase("azp");
  return claims;
}

// Three keys of Google's ("g-rsa", "g-ec") and Kakao's ("k-rsa"), made once for all tests.
struct Keys {
  Pkey google_rsa = rsa_key();
  Pkey google_ec = p256_key();
  Pkey kakao_rsa = rsa_key();
};

const Keys& keys() {
  static const Keys made;
  return made;
}

class Oidc : public ::testing::Test {
 protected:
  Oidc() {
    write_file(google_jwks(), key_set({rsa_jwk("g-rsa", keys().google_rsa.get()),
                                       p256_jwk("g-ec", keys().google_ec.get())})
                                  .dump());
    write_file(kakao_jwks(), key_set({rsa_jwk("k-rsa", keys().kakao_rsa.get())}).dump());
  }

  std::filesystem::path google_jwks() const { return dir_.path() / "google.json"; }
  std::filesystem::path kakao_jwks() const { return dir_.path() / "kakao.json"; }

  std::vector<OidcProvider> providers() const {
    return {{"google", kGoogleIssuer, {kWebClient, kAndroidClient}, google_jwks()},
            {"kakao", kKakaoIssuer, {kKakaoApp}, kakao_jwks()}};
  }

  const OidcVerifier& verifier() {
    if (!verifier_) {
      auto loaded = OidcVerifier::load(providers());
      EXPECT_TRUE(loaded.ok()) << loaded.error().message;
      verifier_.emplace(std::move(loaded.value()));
    }
    return *verifier_;
  }

  // The message of the error verify() gives `token` for `provider`, or "accepted".
  std::string refusal(const std::string& token, const std::string& provider = "google",
                      std::string_view nonce = kNonce, Timestamp now = kNow) {
    const auto verified = verifier().verify(provider, token, nonce, now);
    if (verified) return "accepted";
    EXPECT_EQ(verified.error().code, errc::invalid);
    EXPECT_EQ(verified.error().field, "idToken");
    EXPECT_EQ(verified.error().message.find(kNonce), std::string::npos) << "no token contents";
    EXPECT_EQ(verified.error().message.find("110169484474386276334"), std::string::npos);
    return verified.error().message;
  }

  // The refusal of google_claims() signed RS256 by `key` under `header`.
  std::string signed_refusal(const Pkey& key, const json& header) {
    return refusal(rs256(key.get(), header, google_claims()));
  }

  // The refusal of a Google token whose claim `name` is `value`, all else as google_claims().
  std::string refusal_with(const char* name, const json& value) {
    auto claims = google_claims();
    claims[name] = value;
    return refusal(google_token(claims));
  }
  // The refusal of a Google token without the claim `name`.
  std::string refusal_without(const char* name) {
    auto claims = google_claims();
    claims.erase(name);
    return refusal(google_token(claims));
  }

  // A Google token with `claims`, signed RS256 by Google's RSA key.
  std::string google_token(const json& claims) {
    return rs256(keys().google_rsa.get(), jws_header("RS256", "g-rsa"), claims);
  }

  // The message of the error load() gives when Kakao's key set is `jwks`.
  std::string load_refusal(const json& jwks) {
    write_file(kakao_jwks(), jwks.dump());
    return load_refusal();
  }
  std::string load_refusal() {
    const auto loaded = OidcVerifier::load(providers());
    if (loaded) return "loaded";
    EXPECT_EQ(loaded.error().code, errc::invalid);
    return loaded.error().message;
  }

  testing::TempDir dir_;
  std::optional<OidcVerifier> verifier_;
};

// ---- Accepted ----

TEST_F(Oidc, AValidRs256TokenYieldsTheIdentityClaims) {
  const auto claims = verifier().verify("google", google_token(google_claims()), kNonce, kNow);
  ASSERT_TRUE(claims.ok()) << claims.error().message;
  EXPECT_EQ(*claims, (IdentityClaims{"google", "110169484474386276334", "ada@example.com", true,
                                     "Ada", "Lovelace"}));
}

TEST_F(Oidc, AValidEs256TokenVerifies) {
  const auto token = es256(keys().google_ec.get(), jws_header("ES256", "g-ec"), google_claims());
  EXPECT_EQ(refusal(token), "accepted");
}

TEST_F(Oidc, OnlyTheSubjectIsRequiredOfTheIdentity) {
  auto claims = google_claims();
  for (const char* name : {"email", "given_name", "family_name", "azp"}) claims.erase(name);
  const auto verified = verifier().verify("google", google_token(claims), kNonce, kNow);
  ASSERT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_EQ(*verified, (IdentityClaims{"google", "110169484474386276334", std::nullopt, false,
                                       std::nullopt, std::nullopt}))
      << "email_verified means nothing without an email";
}

TEST_F(Oidc, EmailVerifiedIsTrueOnlyWhenTheProviderSaysSo) {
  auto claims = google_claims();
  const auto verified_as = [&](const json& value) {
    claims["email_verified"] = value;
    const auto verified = verifier().verify("google", google_token(claims), kNonce, kNow);
    EXPECT_TRUE(verified.ok()) << verified.error().message;
    return verified.ok() && verified->email_verified;
  };
  EXPECT_TRUE(verified_as("true")) << "Apple writes it as a string";
  EXPECT_FALSE(verified_as(false));
  EXPECT_FALSE(verified_as("false"));
  EXPECT_FALSE(verified_as(1));
  claims.erase("email_verified");
  const auto verified = verifier().verify("google", google_token(claims), kNonce, kNow);
  ASSERT_TRUE(verified.ok());
  EXPECT_FALSE(verified->email_verified);
}

TEST_F(Oidc, OneVerifierServesManyThreadsAtOnce) {
  const auto rsa = google_token(google_claims());
  const auto ec = es256(keys().google_ec.get(), jws_header("ES256", "g-ec"), google_claims());
  const auto& shared = verifier();
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        accepted += shared.verify("google", rsa, kNonce, kNow).ok();
        accepted += shared.verify("google", ec, kNonce, kNow).ok();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(accepted.load(), 400);
}

TEST_F(Oidc, AnArrayAudienceHoldingOursIsAccepted) {
  auto claims = google_claims();
  claims["aud"] = {"someone-else", kWebClient};
  EXPECT_EQ(refusal(google_token(claims)), "accepted");
}

TEST_F(Oidc, AnAuthorizedPartyThatIsAnotherOfOurClientsIsAccepted) {
  auto claims = google_claims();
  claims["azp"] = kAndroidClient;  // the Android app asked for a token for the web client
  EXPECT_EQ(refusal(google_token(claims)), "accepted");
}

TEST_F(Oidc, GooglesIssuerWithoutTheSchemeIsAcceptedForGoogleOnly) {
  auto claims = google_claims();
  claims["iss"] = "accounts.google.com";
  EXPECT_EQ(refusal(google_token(claims)), "accepted");

  auto kakao = kakao_claims();
  for (const char* iss : {"kauth.kakao.com", "accounts.google.com"}) {
    kakao["iss"] = iss;
    EXPECT_EQ(refusal(rs256(keys().kakao_rsa.get(), jws_header("RS256", "k-rsa"), kakao), "kakao"),
              "oidc: wrong issuer")
        << iss;
  }
  kakao["iss"] = kKakaoIssuer;
  EXPECT_EQ(refusal(rs256(keys().kakao_rsa.get(), jws_header("RS256", "k-rsa"), kakao), "kakao"),
            "accepted");
}

TEST_F(Oidc, WithoutKidTheOnlyKeyOfTheAlgorithmsTypeIsUsed) {
  const json rsa_header = {{"alg", "RS256"}, {"typ", "JWT"}};
  const json ec_header = {{"alg", "ES256"}};
  EXPECT_EQ(signed_refusal(keys().google_rsa, rsa_header), "accepted");
  EXPECT_EQ(refusal(es256(keys().google_ec.get(), ec_header, google_claims())), "accepted");

  // With two RSA keys in the set, a token without kid names none of them.
  write_file(google_jwks(), key_set({rsa_jwk("g-rsa", keys().google_rsa.get()),
                                     rsa_jwk("g-rsa-2", keys().kakao_rsa.get())})
                                .dump());
  verifier_.reset();
  EXPECT_EQ(signed_refusal(keys().google_rsa, rsa_header), "oidc: unknown key");
  EXPECT_EQ(refusal(google_token(google_claims())), "accepted");
}

TEST_F(Oidc, TheLeewayIsSixtySecondsEitherWay) {
  auto claims = google_claims();
  claims["exp"] = kSeconds - 59;
  claims["iat"] = kSeconds + 59;
  EXPECT_EQ(refusal(google_token(claims)), "accepted");
  EXPECT_EQ(OidcVerifier::kLeeway, 60s);
}

// ---- Refused: the signature and the key ----

TEST_F(Oidc, ATamperedPayloadIsRefused) {
  const auto parts = segments(google_token(google_claims()));
  auto claims = google_claims();
  claims["sub"] = "someone-else";
  const auto forged = parts[0] + "." + base64url_encode(claims.dump()) + "." + parts[2];
  EXPECT_EQ(refusal(forged), "oidc: bad signature");

  const auto ec =
      segments(es256(keys().google_ec.get(), jws_header("ES256", "g-ec"), google_claims()));
  EXPECT_EQ(refusal(ec[0] + "." + base64url_encode(claims.dump()) + "." + ec[2]),
            "oidc: bad signature");
}

TEST_F(Oidc, ATamperedSignatureIsRefused) {
  for (const auto& token :
       {google_token(google_claims()),
        es256(keys().google_ec.get(), jws_header("ES256", "g-ec"), google_claims())}) {
    const auto parts = segments(token);
    auto signature = *base64url_decode(parts[2]);
    signature[7] = static_cast<char>(signature[7] ^ 0x01);
    const auto input = parts[0] + "." + parts[1] + ".";
    EXPECT_EQ(refusal(input + base64url_encode(signature)), "oidc: bad signature");
    EXPECT_EQ(refusal(input + base64url_encode(signature.substr(1))), "oidc: malformed signature");
    EXPECT_EQ(refusal(input), "oidc: malformed signature");
    EXPECT_EQ(refusal(input + parts[2] + "="), "oidc: malformed signature");
  }
}

TEST_F(Oidc, AnEs256SignatureInDerFormIsRefused) {
  // JWS carries r || s; a DER signature is what a careless signer would send.
  const auto input = signing_input(jws_header("ES256", "g-ec"), google_claims());
  const auto der = openssl_signature(keys().google_ec.get(), input);
  EXPECT_EQ(refusal(input + "." + base64url_encode(der)), "oidc: malformed signature");
}

TEST_F(Oidc, AlgNoneIsRefused) {
  for (const json& none : {json{{"alg", "none"}}, json{{"alg", "none"}, {"kid", "g-rsa"}}}) {
    const auto input = signing_input(none, google_claims());
    EXPECT_EQ(refusal(input + "."), "oidc: algorithm not allowed");
    EXPECT_EQ(refusal(input + "." + base64url_encode("x")), "oidc: algorithm not allowed");
  }
}

TEST_F(Oidc, Hs256KeyedWithTheProvidersPublicKeyIsRefused) {
  // The classic confusion: a verifier that lets the header choose HMAC would check this MAC with
  // the only "key" it has for g-rsa, the public key, which everyone knows.
  EVP_PKEY* key = keys().google_rsa.get();
  const auto modulus = number(key, OSSL_PKEY_PARAM_RSA_N);
  for (const auto& secret : {public_pem(key), modulus}) {
    for (const json& hs256 : {jws_header("HS256", "g-rsa"), json{{"alg", "HS256"}}}) {
      const auto input = signing_input(hs256, google_claims());
      EXPECT_EQ(refusal(input + "." + base64url_encode(hmac_sha256(secret, input))),
                "oidc: algorithm not allowed");
    }
  }
}

TEST_F(Oidc, EveryOtherAlgorithmIsRefused) {
  for (const json& alg : {json("RS512"), json("PS256"), json("ES384"), json("rs256"), json(256),
                          json(nullptr), json::array({"RS256"})}) {
    EXPECT_EQ(signed_refusal(keys().google_rsa, {{"alg", alg}, {"kid", "g-rsa"}}),
              "oidc: algorithm not allowed")
        << alg.dump();
  }
  EXPECT_EQ(signed_refusal(keys().google_rsa, {{"kid", "g-rsa"}}), "oidc: algorithm not allowed");
}

TEST_F(Oidc, AnAlgorithmThatDoesNotMatchTheKeysTypeIsRefused) {
  // RS256 over the EC key, and ES256 over the RSA key: the key's type decides, and they disagree.
  EXPECT_EQ(signed_refusal(keys().google_rsa, jws_header("RS256", "g-ec")),
            "oidc: algorithm does not match key");
  EXPECT_EQ(refusal(es256(keys().google_ec.get(), jws_header("ES256", "g-rsa"), google_claims())),
            "oidc: algorithm does not match key");
}

TEST_F(Oidc, AnUnknownKidIsRefused) {
  EXPECT_EQ(signed_refusal(keys().google_rsa, jws_header("RS256", "g-old")), "oidc: unknown key");
  EXPECT_EQ(signed_refusal(keys().google_rsa, {{"alg", "RS256"}, {"kid", 1}}), "oidc: unknown key");
}

TEST_F(Oidc, AnotherProvidersKeyIsRefused) {
  // Signed by Kakao's key and naming it: Google's set has no such key.
  EXPECT_EQ(signed_refusal(keys().kakao_rsa, jws_header("RS256", "k-rsa")), "oidc: unknown key");
  // Signed by Kakao's key but naming Google's.
  EXPECT_EQ(signed_refusal(keys().kakao_rsa, jws_header("RS256", "g-rsa")), "oidc: bad signature");
  // A good Google token presented as Kakao's.
  EXPECT_EQ(refusal(google_token(google_claims()), "kakao"), "oidc: unknown key");
}

TEST_F(Oidc, CriticalHeaderExtensionsAreRefused) {
  json crit = jws_header("RS256", "g-rsa");
  crit["crit"] = {"exp"};
  EXPECT_EQ(signed_refusal(keys().google_rsa, crit), "oidc: critical header extension");
}

TEST_F(Oidc, WhatIsNotACompactJwsIsRefused) {
  const auto token = google_token(google_claims());
  const auto parts = segments(token);
  EXPECT_EQ(refusal(""), "oidc: not a compact JWS");
  EXPECT_EQ(refusal(parts[0] + "." + parts[1]), "oidc: not a compact JWS");
  EXPECT_EQ(refusal(token + "." + parts[2]), "oidc: not a compact JWS");
  EXPECT_EQ(refusal(token + std::string(9000, 'A')), "oidc: not a compact JWS");
  EXPECT_EQ(refusal("!!." + parts[1] + "." + parts[2]), "oidc: malformed header");
  EXPECT_EQ(refusal(base64url_encode("[1]") + "." + parts[1] + "." + parts[2]),
            "oidc: malformed header");
  const auto input =
      base64url_encode(jws_header("RS256", "g-rsa").dump()) + "." + base64url_encode("not json");
  EXPECT_EQ(
      refusal(input + "." + base64url_encode(openssl_signature(keys().google_rsa.get(), input))),
      "oidc: malformed payload");
}

// ---- Refused: the claims ----

TEST_F(Oidc, AWrongIssuerIsRefused) {
  for (const json& iss : {json("https://accounts.google.com/"), json("https://evil.example"),
                          json(kKakaoIssuer), json(""), json(1)}) {
    EXPECT_EQ(refusal_with("iss", iss), "oidc: wrong issuer") << iss.dump();
  }
  EXPECT_EQ(refusal_without("iss"), "oidc: wrong issuer");
}

TEST_F(Oidc, AWrongAudienceIsRefused) {
  for (const json& aud : {json("someone-else"), json::array({"someone-else"}), json::array(),
                          json::array({kWebClient, 1}), json(""), json(nullptr),
                          json{{"aud", kWebClient}}, json(kKakaoApp)}) {
    EXPECT_EQ(refusal_with("aud", aud), "oidc: wrong audience") << aud.dump();
  }
  EXPECT_EQ(refusal_without("aud"), "oidc: wrong audience");
}

TEST_F(Oidc, AnAuthorizedPartyNotOursIsRefused) {
  for (const json& azp : {json("someone-else"), json(""), json::array({kWebClient})})
    EXPECT_EQ(refusal_with("azp", azp), "oidc: wrong authorized party") << azp.dump();
}

TEST_F(Oidc, AnExpiredTokenIsRefused) {
  EXPECT_EQ(refusal_with("exp", kSeconds - 61), "oidc: expired");
  EXPECT_EQ(refusal(google_token(google_claims()), "google", kNonce, kNow + 1h + 1min),
            "oidc: expired");
  EXPECT_EQ(refusal_without("exp"), "oidc: missing exp");
  EXPECT_EQ(refusal_with("exp", "tomorrow"), "oidc: malformed exp");
}

TEST_F(Oidc, ATokenIssuedInTheFutureIsRefused) {
  EXPECT_EQ(refusal_with("iat", kSeconds + 61), "oidc: issued in the future");
  EXPECT_EQ(refusal_without("iat"), "oidc: missing iat");
  EXPECT_EQ(refusal_with("iat", -1), "oidc: malformed iat");
  EXPECT_EQ(refusal_with("nbf", kSeconds + 61), "oidc: not yet valid");
}

TEST_F(Oidc, AMissingOrWrongNonceIsRefused) {
  EXPECT_EQ(refusal_without("nonce"), "oidc: missing nonce");
  EXPECT_EQ(refusal_with("nonce", 12), "oidc: missing nonce");
  auto claims = google_claims();
  claims["nonce"] = "";
  EXPECT_EQ(refusal(google_token(claims), "google", ""), "oidc: missing nonce")
      << "an empty nonce is no nonce, even when empty is expected";
  const auto token = google_token(google_claims());
  EXPECT_EQ(refusal(token, "google", "n-0S6_WzA2MJ"), "oidc: wrong nonce");
  EXPECT_EQ(refusal(token, "google", "n-0S6_WzA2Mj2"), "oidc: wrong nonce");
  EXPECT_EQ(refusal(token, "google", ""), "oidc: missing nonce");
}

TEST_F(Oidc, TheSubjectMustBePresentAndAtMost255Bytes) {
  EXPECT_EQ(refusal_with("sub", std::string(255, '7')), "accepted");
  for (const json& sub : {json(std::string(256, '7')), json(""), json(110169484474386276), json()})
    EXPECT_EQ(refusal_with("sub", sub), "oidc: missing or malformed sub") << sub.dump();
  EXPECT_EQ(refusal_without("sub"), "oidc: missing or malformed sub");
}

TEST_F(Oidc, AnUnknownProviderIsNotFoundOnFieldProvider) {
  const auto verified = verifier().verify("facebook", google_token(google_claims()), kNonce, kNow);
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error(), make_error(errc::not_found, "provider", "oidc: unknown provider"));
  EXPECT_FALSE(verifier().knows("facebook"));
  EXPECT_FALSE(verifier().knows("apple")) << "not configured here";
  EXPECT_TRUE(verifier().knows("google"));
  EXPECT_TRUE(verifier().knows("kakao"));
}

TEST(ExpectedNonce, AppleTokensCarryTheSha256OfTheNonceInLowerCaseHex) {
  EXPECT_EQ(expected_nonce("apple", "abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(expected_nonce("google", "abc"), "abc");
  EXPECT_EQ(expected_nonce("kakao", kNonce), kNonce);
}

// ---- Loading key sets ----

TEST_F(Oidc, AMalformedJwksFileFailsToLoadNamingTheProvider) {
  write_file(kakao_jwks(), "{\"keys\": [");
  EXPECT_EQ(load_refusal(), "oidc: provider \"kakao\": JWKS file unreadable or not JSON");
  std::filesystem::remove(kakao_jwks());
  EXPECT_EQ(load_refusal(), "oidc: provider \"kakao\": JWKS file unreadable or not JSON");
  EXPECT_EQ(load_refusal(json::array()),
            "oidc: provider \"kakao\": JWKS file has no \"keys\" array");
  EXPECT_EQ(load_refusal(key_set({json{{"kty", "RSA"}}})),
            "oidc: provider \"kakao\": key #0: n and e must be base64url");
  EXPECT_EQ(load_refusal(key_set({})),
            "oidc: provider \"kakao\": JWKS file has no RS256 or ES256 signing key");
}

TEST_F(Oidc, AMalformedKeyFailsToLoadNamingItsKidButNoKeyMaterial) {
  auto rsa = rsa_jwk("k-rsa", keys().kakao_rsa.get());
  const auto n = rsa["n"].get<std::string>();
  rsa["n"] = n + "=";
  const auto message = load_refusal(key_set({rsa}));
  EXPECT_EQ(message, "oidc: provider \"kakao\": key \"k-rsa\": n and e must be base64url");
  EXPECT_EQ(message.find(n.substr(0, 16)), std::string::npos);

  rsa["n"] = base64url_encode(std::string(256, '\x02'));  // even: no RSA modulus
  EXPECT_EQ(load_refusal(key_set({rsa})),
            "oidc: provider \"kakao\": key \"k-rsa\": not a valid RSA public key");

  const auto small = rsa_key(1024);
  EXPECT_EQ(load_refusal(key_set({rsa_jwk("k-small", small.get())})),
            "oidc: provider \"kakao\": key \"k-small\": RSA modulus shorter than 2048 bits");

  auto ec = p256_jwk("k-ec", keys().google_ec.get());
  ec["x"] = base64url_encode(std::string(31, '\x01'));
  EXPECT_EQ(load_refusal(key_set({ec})),
            "oidc: provider \"kakao\": key \"k-ec\": x and y must be base64url of 32 bytes");
  ec = p256_jwk("k-ec", keys().google_ec.get());
  ec["y"] = base64url_encode(std::string(32, '\x01'));
  EXPECT_EQ(load_refusal(key_set({ec})),
            "oidc: provider \"kakao\": key \"k-ec\": not a point of P-256");

  EXPECT_EQ(load_refusal(key_set(
                {rsa_jwk("k", keys().kakao_rsa.get()), p256_jwk("k", keys().google_ec.get())})),
            "oidc: provider \"kakao\": key \"k\": kid used twice");
  EXPECT_EQ(load_refusal(key_set({json{{"kty", "RSA"}, {"kid", 7}}})),
            "oidc: provider \"kakao\": key #0: kid must be a string");
  EXPECT_EQ(load_refusal(key_set({json{{"kid", "k"}, {"n", "AQAB"}, {"e", "AQAB"}}})),
            "oidc: provider \"kakao\": key \"k\": kty must be a non-empty string");
  auto even = rsa_jwk("k-rsa", keys().kakao_rsa.get());
  even["e"] = base64url_encode("\x01\x00\x00");
  EXPECT_EQ(load_refusal(key_set({even})),
            "oidc: provider \"kakao\": key \"k-rsa\": not a valid RSA public key");
  EXPECT_EQ(load_refusal(key_set({json("RSA")})),
            "oidc: provider \"kakao\": key #0: not an object");
}

TEST_F(Oidc, KeysForOtherPurposesAreSkipped) {
  auto encryption = rsa_jwk("k-enc", keys().kakao_rsa.get());
  encryption["use"] = "enc";
  auto rs384 = rsa_jwk("k-384", keys().kakao_rsa.get());
  rs384["alg"] = "RS384";
  auto p384 = p256_jwk("k-384", keys().google_ec.get());
  p384["crv"] = "P-384";
  const json okp = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"kid", "k-ed"}, {"x", "AA"}};
  EXPECT_EQ(load_refusal(key_set({encryption, rs384, p384, okp})),
            "oidc: provider \"kakao\": JWKS file has no RS256 or ES256 signing key");

  write_file(
      kakao_jwks(),
      key_set({encryption, rs384, p384, okp, rsa_jwk("k-rsa", keys().kakao_rsa.get())}).dump());
  const auto claims = kakao_claims();
  EXPECT_EQ(refusal(rs256(keys().kakao_rsa.get(), jws_header("RS256", "k-rsa"), claims), "kakao"),
            "accepted");
  EXPECT_EQ(refusal(rs256(keys().kakao_rsa.get(), jws_header("RS256", "k-enc"), claims), "kakao"),
            "oidc: unknown key")
      << "an encryption key never verifies a signature";
}

TEST_F(Oidc, AProviderNeedsAnIssuerAnAudienceAndItsOwnName) {
  auto configured = providers();
  configured[1].issuer.clear();
  auto loaded = OidcVerifier::load(configured);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().message, "oidc: provider \"kakao\": no issuer");

  configured = providers();
  configured[1].audiences = {""};
  loaded = OidcVerifier::load(configured);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().message, "oidc: provider \"kakao\": no audience, or an empty one");

  configured = providers();
  configured[1].name = "google";
  loaded = OidcVerifier::load(configured);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().message, "oidc: provider \"google\": configured twice");
}

}  // namespace
}  // namespace clientele::api
