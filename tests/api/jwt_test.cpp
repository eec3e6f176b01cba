// Access tokens (api/jwt.hpp): what the codec issues verifies, and every token that is not exactly
// that — built here by hand, byte by byte — is refused for the reason expected. Then where the
// codec's secret comes from (infra::load_jwt_secret).

#include "api/jwt.hpp"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <array>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "infra/secrets.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::api {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kIssuer = "clientele";
constexpr const char* kAudience = "clientele-api";

// 2026-01-20T14:30:00.123Z
const Timestamp kNow =
    Timestamp(std::chrono::sys_days(std::chrono::year(2026) / std::chrono::January / 20)) + 14h +
    30min + 123ms;

std::int64_t seconds_of(Timestamp t) {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}

std::string b64url(std::string_view bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), kVariant);
  out.pop_back();
  return out;
}

std::string from_b64url(std::string_view text) {
  std::string out(text.size(), '\0');
  std::size_t length = 0;
  EXPECT_EQ(sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                              text.size(), nullptr, &length, nullptr,
                              sodium_base64_VARIANT_URLSAFE_NO_PADDING),
            0);
  out.resize(length);
  return out;
}

std::vector<std::string> segments(const std::string& token) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (auto dot = token.find('.'); dot != std::string::npos; dot = token.find('.', start)) {
    out.push_back(token.substr(start, dot - start));
    start = dot + 1;
  }
  out.push_back(token.substr(start));
  return out;
}

std::string hs256(const events::SecretKey& key, std::string_view input) {
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256(mac.data(), reinterpret_cast<const unsigned char*>(input.data()),
                         input.size(), key.bytes().data());
  return b64url({reinterpret_cast<const char*>(mac.data()), mac.size()});
}

std::string hs512(const events::SecretKey& key, std::string_view input) {
  std::array<unsigned char, crypto_auth_hmacsha512_BYTES> mac{};
  crypto_auth_hmacsha512(mac.data(), reinterpret_cast<const unsigned char*>(input.data()),
                         input.size(), key.bytes().data());
  return b64url({reinterpret_cast<const char*>(mac.data()), mac.size()});
}

// The claims the codec would issue for a customer at kNow.
json good_claims() {
  return {{"iss", kIssuer},           {"aud", kAudience},        {"sub", "CUST_1a2b3c4d"},
          {"role", "Customer"},       {"iat", seconds_of(kNow)}, {"exp", seconds_of(kNow) + 900},
          {"jti", "abcdefghijklmnop"}};
}

const json kHs256Header = {{"alg", "HS256"}, {"typ", "JWT"}};

class Jwt : public ::testing::Test {
 protected:
  Jwt() : secret_(events::SecretKey::random()), codec_(copy(secret_), kIssuer, kAudience) {}

  static events::SecretKey copy(const events::SecretKey& key) {
    return events::SecretKey(key.bytes());
  }

  // header.payload signed with HS256 under the codec's secret.
  std::string signed_token(const json& header, const json& claims) const {
    const auto input = b64url(header.dump()) + "." + b64url(claims.dump());
    return input + "." + hs256(secret_, input);
  }

  // The message of the error verify() gives `token` at `now`, or "accepted".
  std::string refusal(const std::string& token, Timestamp now = kNow) const {
    const auto verified = codec_.verify(token, now);
    if (verified) return "accepted";
    EXPECT_EQ(verified.error().code, errc::forbidden);
    return verified.error().message;
  }

  events::SecretKey secret_;
  JwtCodec codec_;
};

TEST_F(Jwt, AnIssuedTokenVerifiesWithItsClaims) {
  const auto token = codec_.issue("CUST_1a2b3c4d", Role::Customer, kNow);
  const auto claims = codec_.verify(token, kNow);
  ASSERT_TRUE(claims.ok()) << claims.error().message;
  EXPECT_EQ(claims->subject, "CUST_1a2b3c4d");
  EXPECT_EQ(claims->role, Role::Customer);
  EXPECT_EQ(claims->issued_at, std::chrono::floor<std::chrono::seconds>(kNow));
  EXPECT_EQ(claims->expires_at, std::chrono::floor<std::chrono::seconds>(kNow) + 15min);
  EXPECT_FALSE(claims->token_id.empty());

  const auto admin = codec_.verify(codec_.issue("ADM_1", Role::Administrator, kNow), kNow);
  ASSERT_TRUE(admin.ok()) << admin.error().message;
  EXPECT_EQ(admin->role, Role::Administrator);
  EXPECT_NE(admin->token_id, claims->token_id) << "every token gets its own jti";
}

TEST_F(Jwt, AnIssuedTokenIsAnHs256JwtWithTheConfiguredIssuerAudienceAndLifetime) {
  const auto parts = segments(codec_.issue("CUST_1a2b3c4d", Role::Customer, kNow));
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(json::parse(from_b64url(parts[0])), kHs256Header);
  const auto claims = json::parse(from_b64url(parts[1]));
  EXPECT_EQ(claims.at("iss"), kIssuer);
  EXPECT_EQ(claims.at("aud"), kAudience);
  EXPECT_EQ(claims.at("role"), "Customer");
  EXPECT_EQ(claims.at("exp").get<std::int64_t>() - claims.at("iat").get<std::int64_t>(), 900);
  EXPECT_EQ(from_b64url(parts[2]).size(), 32u);
}

TEST_F(Jwt, AHandMadeTokenWithTheRightClaimsVerifies) {
  // The baseline for every refusal below: only the one thing each changes is wrong.
  EXPECT_EQ(refusal(signed_token(kHs256Header, good_claims())), "accepted");
  EXPECT_EQ(refusal(signed_token({{"alg", "HS256"}}, good_claims())), "accepted")
      << "typ is optional";
}

TEST_F(Jwt, AlgNoneIsRefusedWithOrWithoutASignature) {
  const json none = {{"alg", "none"}, {"typ", "JWT"}};
  const auto input = b64url(none.dump()) + "." + b64url(good_claims().dump());
  EXPECT_EQ(refusal(input + "."), "jwt: algorithm not allowed");
  EXPECT_EQ(refusal(input + "." + hs256(secret_, input)), "jwt: algorithm not allowed");
}

TEST_F(Jwt, Hs512WithAValidHs512SignatureUnderTheSameSecretIsRefused) {
  const json header = {{"alg", "HS512"}, {"typ", "JWT"}};
  const auto input = b64url(header.dump()) + "." + b64url(good_claims().dump());
  EXPECT_EQ(refusal(input + "." + hs512(secret_, input)), "jwt: algorithm not allowed");
}

TEST_F(Jwt, EveryOtherAlgorithmIsRefused) {
  for (const json& alg : {json("RS256"), json("ES256"), json("hs256"), json("HS384"), json(256),
                          json(nullptr), json::array({"HS256"})}) {
    EXPECT_EQ(refusal(signed_token({{"alg", alg}, {"typ", "JWT"}}, good_claims())),
              "jwt: algorithm not allowed")
        << alg.dump();
  }
  EXPECT_EQ(refusal(signed_token({{"typ", "JWT"}}, good_claims())), "jwt: algorithm not allowed");
}

TEST_F(Jwt, ATypeOtherThanJwtAndCriticalExtensionsAreRefused) {
  EXPECT_EQ(refusal(signed_token({{"alg", "HS256"}, {"typ", "JOSE+JSON"}}, good_claims())),
            "jwt: type not allowed");
  EXPECT_EQ(refusal(signed_token({{"alg", "HS256"}, {"crit", {"exp"}}}, good_claims())),
            "jwt: critical header extension");
}

TEST_F(Jwt, ATamperedPayloadIsRefused) {
  const auto parts = segments(codec_.issue("CUST_1a2b3c4d", Role::Customer, kNow));
  auto claims = json::parse(from_b64url(parts[1]));
  claims["role"] = "Administrator";
  EXPECT_EQ(refusal(parts[0] + "." + b64url(claims.dump()) + "." + parts[2]), "jwt: bad signature");
}

TEST_F(Jwt, ATamperedSignatureIsRefused) {
  const auto token = codec_.issue("CUST_1a2b3c4d", Role::Customer, kNow);
  const auto parts = segments(token);
  auto mac = from_b64url(parts[2]);
  mac[5] = static_cast<char>(mac[5] ^ 0x01);
  EXPECT_EQ(refusal(parts[0] + "." + parts[1] + "." + b64url(mac)), "jwt: bad signature");
  EXPECT_EQ(refusal(parts[0] + "." + parts[1] + "." + b64url(mac.substr(0, 31))),
            "jwt: malformed signature");
  EXPECT_EQ(refusal(parts[0] + "." + parts[1] + "." + parts[2] + "A"), "jwt: malformed signature");
  EXPECT_EQ(refusal(parts[0] + "." + parts[1] + "."), "jwt: malformed signature");
}

TEST_F(Jwt, ATokenSignedWithAnotherSecretIsRefused) {
  const JwtCodec other(events::SecretKey::random(), kIssuer, kAudience);
  EXPECT_EQ(refusal(other.issue("CUST_1a2b3c4d", Role::Customer, kNow)), "jwt: bad signature");
}

TEST_F(Jwt, AnExpiredTokenIsRefusedAfterThirtySecondsOfLeeway) {
  const auto token = codec_.issue("CUST_1a2b3c4d", Role::Customer, kNow);
  const auto exp = std::chrono::floor<std::chrono::seconds>(kNow) + 15min;
  EXPECT_EQ(refusal(token, exp + 29s), "accepted");
  EXPECT_EQ(refusal(token, exp + 30s), "jwt: expired");
  EXPECT_EQ(refusal(token, exp + 24h), "jwt: expired");
}

TEST_F(Jwt, AMissingOrMalformedExpIsRefused) {
  auto claims = good_claims();
  claims.erase("exp");
  EXPECT_EQ(refusal(signed_token(kHs256Header, claims)), "jwt: missing exp");
  for (const json& exp : {json("2026-01-20"), json(-1), json(1e300), json(nullptr)}) {
    claims["exp"] = exp;
    EXPECT_EQ(refusal(signed_token(kHs256Header, claims)), "jwt: malformed exp") << exp.dump();
  }
  claims["exp"] = seconds_of(kNow) + 60.5;
  EXPECT_EQ(refusal(signed_token(kHs256Header, claims)), "accepted") << "NumericDate may be real";
}

TEST_F(Jwt, IatOrNbfInTheFutureBeyondTheLeewayIsRefused) {
  auto claims = good_claims();
  claims["iat"] = seconds_of(kNow) + 10;
  EXPECT_EQ(refusal(signed_token(kHs256Header, claims)), "accepted") << "within the leeway";
  claims["iat"] = seconds_of(kNow) + 60;
  EXPECT_EQ(refusal(signed_token(kHs256Header, claims)), "jwt: issued in the future");
  claims.erase("iat");
  EXPECT_EQ(refusal(signed_token(kHs256Header, claims)), "jwt: missing iat");

  claims = good_claims();
  claims["nbf"] = seconds_of(kNow) + 60;
  EXPECT_EQ(refusal(signed_token(kHs256Header, claims)), "jwt: not yet valid");
  claims["nbf"] = seconds_of(kNow) - 60;
  EXPECT_EQ(refusal(signed_token(kHs256Header, claims)), "accepted");
}

TEST_F(Jwt, AWrongAudienceIsRefusedAndAnArrayHoldingOursIsAccepted) {
  const JwtCodec elsewhere(copy(secret_), kIssuer, "another-api");
  EXPECT_EQ(refusal(elsewhere.issue("CUST_1a2b3c4d", Role::Customer, kNow)), "jwt: wrong audience");

  auto claims = good_claims();
  claims["aud"] = json::array({"another-api", kAudience});
  EXPECT_EQ(refusal(signed_token(kHs256Header, claims)), "accepted");
  claims["aud"] = json::array({"another-api"});
  EXPECT_EQ(refusal(signed_token(kHs256Header, claims)), "jwt: wrong audience");
  claims["aud"] = json::array();
  EXPECT_EQ(refusal(signed_token(kHs256Header, claims)), "jwt: wrong audience");
  claims.erase("aud");
  EXPECT_EQ(refusal(signed_token(kHs256Header, claims)), "jwt: wrong audience");
}

TEST_F(Jwt, AWrongIssuerIsRefused) {
  const JwtCodec impostor(copy(secret_), "someone-else", kAudience);
  EXPECT_EQ(refusal(impostor.issue("CUST_1a2b3c4d", Role::Customer, kNow)), "jwt: wrong issuer");
  auto claims = good_claims();
  claims.erase("iss");
  EXPECT_EQ(refusal(signed_token(kHs256Header, claims)), "jwt: wrong issuer");
}

TEST_F(Jwt, AnUnknownRoleOrTheSystemRoleIsRefused) {
  auto claims = good_claims();
  for (const json& role : {json("Root"), json("System"), json("customer"), json(1)}) {
    claims["role"] = role;
    EXPECT_EQ(refusal(signed_token(kHs256Header, claims)), "jwt: unknown role") << role.dump();
  }
  claims.erase("role");
  EXPECT_EQ(refusal(signed_token(kHs256Header, claims)), "jwt: unknown role");
}

TEST_F(Jwt, AMissingSubjectOrTokenIdIsRefused) {
  auto claims = good_claims();
  claims["sub"] = "";
  EXPECT_EQ(refusal(signed_token(kHs256Header, claims)), "jwt: missing or malformed sub");
  claims = good_claims();
  claims.erase("jti");
  EXPECT_EQ(refusal(signed_token(kHs256Header, claims)), "jwt: missing or malformed jti");
}

TEST_F(Jwt, GarbageIsRefusedWithoutThrowing) {
  const auto token = codec_.issue("CUST_1a2b3c4d", Role::Customer, kNow);
  const auto parts = segments(token);
  EXPECT_EQ(refusal(""), "jwt: not three segments");
  EXPECT_EQ(refusal("abc"), "jwt: not three segments");
  EXPECT_EQ(refusal(parts[0] + "." + parts[1]), "jwt: not three segments");
  EXPECT_EQ(refusal(token + ".x"), "jwt: not three segments");
  EXPECT_EQ(refusal("Bearer " + token), "jwt: malformed header");
  EXPECT_EQ(refusal("!!!." + parts[1] + "." + parts[2]), "jwt: malformed header");
  EXPECT_EQ(refusal(b64url("[1,2]") + "." + parts[1] + "." + parts[2]), "jwt: malformed header");
  EXPECT_EQ(refusal(b64url("{\"alg\":") + "." + parts[1] + "." + parts[2]),
            "jwt: malformed header");
  EXPECT_EQ(refusal(std::string(300, 'e') + "." + parts[1] + "." + parts[2]),
            "jwt: header too long");
  EXPECT_EQ(refusal(token + std::string(5000, 'A')), "jwt: too long");

  const auto not_json = b64url(kHs256Header.dump()) + "." + b64url("not json");
  EXPECT_EQ(refusal(not_json + "." + hs256(secret_, not_json)), "jwt: malformed payload");
  const auto padded = b64url(kHs256Header.dump()) + "." + b64url(good_claims().dump()) + "=";
  EXPECT_EQ(refusal(padded + "." + hs256(secret_, padded)), "jwt: malformed payload");
}

TEST_F(Jwt, RefusalsSayWhichCheckFailedButNothingOfTheToken) {
  const JwtCodec other(events::SecretKey::random(), kIssuer, kAudience);
  const auto message = refusal(other.issue("CUST_1a2b3c4d", Role::Customer, kNow));
  EXPECT_EQ(message.find("CUST_1a2b3c4d"), std::string::npos) << message;
  EXPECT_LT(message.size(), 40u) << message;
}

// ---- the secret ------------------------------------------------------------------------------

using infra::load_jwt_secret;
using testing::TempDir;

TEST(JwtSecret, ADevelopmentSecretIsMadeBesideTheOtherKeysWithMode0600AndKept) {
  TempDir dir;
  const auto data = dir.path() / "var";
  const auto secret = load_jwt_secret({data, "", "", "", ""});
  ASSERT_TRUE(secret.ok()) << secret.error().message;
  const auto file = dir.path() / "var-keys" / "jwt";
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(data / "jwt"));
  const auto again = load_jwt_secret({data, "", "", "", ""});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->hex(), secret->hex()) << "the development secret was made twice";
  const auto others = infra::load_secrets({data, "", "", "", ""});
  ASSERT_TRUE(others.ok());
  EXPECT_NE(others->kek.hex(), secret->hex());
  EXPECT_NE(others->pepper.hex(), secret->hex());
}

TEST(JwtSecret, AnExistingInstallationWithoutOneGetsANewOneNotAnError) {
  // Unlike the KEK, nothing stored depends on it: a new one only ends the current access tokens.
  TempDir dir;
  const auto data = dir.path() / "var";
  std::filesystem::create_directories(data / "keys");
  std::ofstream(data / "keys" / "CURRENT") << "MANIFEST-000001\n";
  ASSERT_TRUE(infra::installation_exists(data));
  const auto secret = load_jwt_secret({data, "", "", "", ""});
  ASSERT_TRUE(secret.ok()) << secret.error().message;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "var-keys" / "jwt"));
  EXPECT_FALSE(infra::load_secrets({data, "", "", "", ""}).ok()) << "the KEK still is an error";
}

TEST(JwtSecret, AConfiguredSecretWinsAndAMalformedOneIsRefused) {
  TempDir dir;
  const auto data = dir.path() / "var";
  const auto key = events::SecretKey::random();
  const auto from_env = load_jwt_secret({data, "", "", "", "", key.hex()});
  ASSERT_TRUE(from_env.ok()) << from_env.error().message;
  EXPECT_EQ(from_env->hex(), key.hex());

  const auto file = dir.path() / "jwt.hex";
  std::ofstream(file) << key.hex() << "\n";
  std::filesystem::permissions(file, std::filesystem::perms::owner_read);
  const auto from_file = load_jwt_secret({data, "", "", "", "", "", file.string()});
  ASSERT_TRUE(from_file.ok()) << from_file.error().message;
  EXPECT_EQ(from_file->hex(), key.hex());
  EXPECT_FALSE(std::filesystem::exists(infra::dev_keys_dir(data)));

  const auto malformed = load_jwt_secret({data, "", "", "", "", "not-a-key"});
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().code, errc::invalid);
  EXPECT_NE(malformed.error().message.find("CLIENTELE_JWT_SECRET"), std::string::npos);
  const auto absent = load_jwt_secret({data, "", "", "", "", "", (dir.path() / "nope").string()});
  ASSERT_FALSE(absent.ok());
  EXPECT_NE(absent.error().message.find("--jwt-secret-file"), std::string::npos);
}

}  // namespace
}  // namespace clientele::api
