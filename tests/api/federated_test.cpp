// Federated login of `clientele serve` end to end (issue 6, item 4): the service reads its identity
// providers from --oidc-config, a REST client gets a nonce, has the provider put it into an ID
// token (minted here, RS256 as Google signs and ES256 as Apple does) and presents the token: a
// first login registers the customer, a later one signs them in, an account whose email is taken
// is linked only by its signed-in owner, and every token or nonce that is not valid is refused.

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <chrono>
#include <functional>

#include "tests/api/auth_flow.hpp"
#include "tests/support/files.hpp"
#include "tests/support/id_tokens.hpp"
#include "tests/support/process.hpp"

namespace clientele::testing {
namespace {

using nlohmann::json;

constexpr const char* kGoogleIssuer = "https://accounts.google.com";
constexpr const char* kGoogleClient = "1234-web.apps.googleusercontent.com";
constexpr const char* kAppleIssuer = "https://appleid.apple.com";
constexpr const char* kAppleClient = "com.example.shop";
// Ada's account at Google, and Bob's at Apple.
constexpr const char* kAdaSubject = "110169484474386276334";
constexpr const char* kBobSubject = "001234.bob5e5f3a";

// The keys of the providers, made once: Google's (RSA), Apple's (EC P-256), and one that nobody
// published.
EVP_PKEY* google_key() {
  static const Pkey key = rsa_key();
  return key.get();
}
EVP_PKEY* apple_key() {
  static const Pkey key = p256_key();
  return key.get();
}
EVP_PKEY* stranger_key() {
  static const Pkey key = rsa_key();
  return key.get();
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// SHA-256 of `text` in lower-case hex: what Apple's apps hand Apple as the nonce.
std::string sha256_hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EXPECT_EQ(EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr), 1);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    constexpr const char* kHex = "0123456789abcdef";
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0x0f];
  }
  return hex;
}

// What Google writes into Ada's ID token for our web client with `nonce`, issued just now.
json google_claims(const std::string& nonce) {
  return {{"iss", kGoogleIssuer},      {"aud", kGoogleClient},       {"azp", kGoogleClient},
          {"sub", kAdaSubject},        {"email", "ada@example.com"}, {"email_verified", true},
          {"given_name", "Ada"},       {"family_name", "Lovelace"},  {"nonce", nonce},
          {"iat", now_seconds() - 10}, {"exp", now_seconds() + 3590}};
}

std::string google_token(const json& claims) {
  return rs256(google_key(), jws_header("RS256", "g1"), claims);
}

// What Apple writes into Bob's ID token: the SHA-256 of the app's nonce, no names, and
// email_verified as a string.
json apple_claims(const std::string& nonce) {
  return {{"iss", kAppleIssuer},        {"aud", kAppleClient},       {"sub", kBobSubject},
          {"email", "bob@example.com"}, {"email_verified", "true"},  {"nonce", sha256_hex(nonce)},
          {"iat", now_seconds() - 10},  {"exp", now_seconds() + 600}};
}

std::string apple_token(const json& claims) {
  return es256(apple_key(), jws_header("ES256", "a1"), claims);
}

// The field and message of the first error of `answer`.
std::pair<std::string, std::string> first_error(const HttpAnswer& answer) {
  const auto error = answer.json()["errors"][0];
  return {error.value("field", ""), error.value("message", "")};
}

// The service with Google and Apple configured (not Kakao), their key sets beside the
// configuration file and named relative to it.
class FederatedFlow : public AuthFlow {
 protected:
  void SetUp() override {
    const auto& dir = dir_.path();
    write_file(dir / "google-jwks.json", key_set({rsa_jwk("g1", google_key())}).dump());
    write_file(dir / "apple-jwks.json", key_set({p256_jwk("a1", apple_key())}).dump());
    const json providers{{{"name", "google"},
                          {"issuer", kGoogleIssuer},
                          {"audiences", {kGoogleClient}},
                          {"jwks", "google-jwks.json"}},
                         {{"name", "apple"},
                          {"issuer", kAppleIssuer},
                          {"audiences", {kAppleClient}},
                          {"jwks", "apple-jwks.json"}}};
    write_file(dir / "oidc.json", json{{"providers", providers}}.dump());
    ASSERT_NO_FATAL_FAILURE(
        start(with(auth_options(), {"--oidc-config", (dir / "oidc.json").string()})));
  }

  // A fresh nonce from the service.
  std::string nonce() {
    const auto issued =
        http({.method = "POST", .url = service_->url("/api/v1/auth/federated/nonce")});
    EXPECT_EQ(issued.status, 201) << issued.body;
    return issued.json()["data"].value("nonce", "");
  }

  HttpAnswer federated(const std::string& provider, const std::string& id_token,
                       const std::string& nonce, json more = json::object(),
                       std::vector<std::string> headers = {}) {
    more.update(json{{"provider", provider}, {"idToken", id_token}, {"nonce", nonce}});
    return post("/api/v1/auth/federated", more, std::move(headers));
  }
  // A Google login of Ada with a fresh nonce.
  HttpAnswer google_login() {
    const auto n = nonce();
    return federated("google", google_token(google_claims(n)), n);
  }
  HttpAnswer link(const std::string& access_token, const std::string& provider,
                  const std::string& id_token, const std::string& nonce) {
    return post("/api/v1/auth/federated/link",
                {{"provider", provider}, {"idToken", id_token}, {"nonce", nonce}},
                {"Authorization: Bearer " + access_token});
  }
};

TEST_F(FederatedFlow, ANonceIsIssuedForTenMinutes) {
  const auto issued =
      http({.method = "POST", .url = service_->url("/api/v1/auth/federated/nonce")});
  ASSERT_EQ(issued.status, 201) << issued.body;
  const auto data = issued.json()["data"];
  EXPECT_EQ(data["expiresIn"], 600);
  EXPECT_EQ(data["nonce"].get<std::string>().size(), 43u);
  EXPECT_NE(data["nonce"], nonce());
}

TEST_F(FederatedFlow, AFirstGoogleLoginRegistersTheCustomerAndALaterOneSignsThemIn) {
  const auto first = google_login();
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.headers.at("location"), "/api/v1/customers/me");
  EXPECT_EQ(first.json()["message"], "registered");
  EXPECT_EQ(first.body.find(kAdaSubject), std::string::npos) << "the subject came back";
  const auto customer = first.json()["data"]["customerId"];

  const auto mine = me(token_of(first), first.headers.at("x-clientele-position"));
  ASSERT_EQ(mine.status, 200) << mine.body;
  const auto record = mine.json()["data"];
  EXPECT_EQ(record["customerId"], customer);
  EXPECT_EQ(record["email"], "ada@example.com");
  EXPECT_EQ(record["firstName"], "Ada");
  EXPECT_EQ(record["lastName"], "Lovelace");
  EXPECT_EQ(record["emailVerified"], true);
  EXPECT_EQ(record["loginCount"], 0);

  const auto again = google_login();
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json()["message"], "signed in");
  EXPECT_EQ(again.json()["data"]["customerId"], customer);
  const auto after = me(token_of(again), again.headers.at("x-clientele-position"));
  EXPECT_EQ(after.json()["data"]["loginCount"], 1);
  EXPECT_EQ(login({{"email", "ada@example.com"}, {"password", kPassword}}).status, 401)
      << "a federated-only account has no password";
}

TEST_F(FederatedFlow, AnAppleLoginCarriesTheHashOfTheNonceAndTheNamesComeFromTheApp) {
  const json names{{"firstName", "Bob"}, {"lastName", "Stone"}};
  auto n = nonce();
  auto raw = apple_claims(n);
  raw["nonce"] = n;  // as Google's would: not what Apple signs
  const auto refused = federated("apple", apple_token(raw), n, names);
  EXPECT_EQ(refused.status, 401) << refused.body;
  EXPECT_EQ(first_error(refused).first, "idToken");

  n = nonce();
  const auto first = federated("apple", apple_token(apple_claims(n)), n, names);
  ASSERT_EQ(first.status, 201) << first.body;
  const auto record = me(token_of(first), first.headers.at("x-clientele-position")).json()["data"];
  EXPECT_EQ(record["email"], "bob@example.com");
  EXPECT_EQ(record["firstName"], "Bob");
  EXPECT_EQ(record["lastName"], "Stone");
  EXPECT_EQ(record["emailVerified"], true) << "Apple says \"true\"";

  n = nonce();
  const auto again = federated("apple", apple_token(apple_claims(n)), n);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json()["data"]["customerId"], first.json()["data"]["customerId"]);
}

TEST_F(FederatedFlow, ANewCustomerWithoutNamesInTheTokenNeedsThemFromTheApp) {
  const auto n = nonce();
  const auto answer = federated("apple", apple_token(apple_claims(n)), n, {{"firstName", "Bob"}});
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_EQ(first_error(answer).first, "lastName");
}

TEST_F(FederatedFlow, ANonceWorksOnce) {
  const auto n = nonce();
  ASSERT_EQ(federated("google", google_token(google_claims(n)), n).status, 201);
  const auto replayed = federated("google", google_token(google_claims(n)), n);
  EXPECT_EQ(replayed.status, 401) << replayed.body;
  EXPECT_EQ(first_error(replayed).first, "nonce");
  const auto made_up = federated("google", google_token(google_claims("made-up")), "made-up");
  EXPECT_EQ(made_up.status, 401);
  EXPECT_EQ(first_error(made_up), first_error(replayed)) << "one answer whatever the reason";
}

TEST_F(FederatedFlow, ARetriedLoginWithItsIdempotencyKeyGetsTheFirstAnswer) {
  const auto n = nonce();
  const auto token = google_token(google_claims(n));
  const auto first = federated("google", token, n, json::object(), {"Idempotency-Key: fed-1"});
  ASSERT_EQ(first.status, 201) << first.body;
  const auto again = federated("google", token, n, json::object(), {"Idempotency-Key: fed-1"});
  EXPECT_EQ(again.status, 201) << "run twice, the nonce would be used up: " << again.body;
  EXPECT_EQ(again.headers.at("idempotent-replayed"), "true");
  EXPECT_EQ(again.body, first.body);
}

TEST_F(FederatedFlow, TokensThatAreNotValidAre401OnIdTokenWithOneMessageAndALoggedReason) {
  const auto now = now_seconds();
  const auto claims_with = [&](const std::string& n, const char* name, const json& value) {
    auto claims = google_claims(n);
    claims[name] = value;
    return claims;
  };
  // Each maker gets a fresh nonce and mints a token that is wrong in one respect.
  const std::vector<std::pair<std::string, std::function<std::string(const std::string&)>>> bad{
      {"oidc: wrong audience",
       [&](const std::string& n) { return google_token(claims_with(n, "aud", "someone-else")); }},
      {"oidc: expired",
       [&](const std::string& n) { return google_token(claims_with(n, "exp", now - 3600)); }},
      {"oidc: bad signature",
       [&](const std::string& n) {
         return rs256(stranger_key(), jws_header("RS256", "g1"), google_claims(n));
       }},
      {"oidc: algorithm not allowed",
       [&](const std::string& n) {
         return signing_input(json{{"alg", "none"}}, google_claims(n)) + ".";
       }},
      {"oidc: wrong nonce",
       [&](const std::string&) { return google_token(google_claims(nonce())); }},
  };
  std::string message;
  for (const auto& [reason, make] : bad) {
    const auto n = nonce();
    const auto answer = federated("google", make(n), n);
    EXPECT_EQ(answer.status, 401) << reason << ": " << answer.body;
    const auto [field, said] = first_error(answer);
    EXPECT_EQ(field, "idToken") << reason;
    if (message.empty()) message = said;
    EXPECT_EQ(said, message) << reason << ": the answer tells why";
    EXPECT_EQ(answer.body.find(kAdaSubject), std::string::npos);
    EXPECT_EQ(answer.body.find("ada@example.com"), std::string::npos);

    std::vector<json> lines;
    const auto logged =
        wait_for_log(service_->child, "federated login refused an ID token", &lines);
    ASSERT_TRUE(logged.is_object()) << reason << ": not logged";
    EXPECT_EQ(logged.value("reason", ""), reason);
    EXPECT_EQ(logged.value("provider", ""), "google");
    for (const auto& line : lines) {
      EXPECT_EQ(line.dump().find(kAdaSubject), std::string::npos) << line.dump();
      EXPECT_EQ(line.dump().find("ada@example.com"), std::string::npos) << line.dump();
    }
  }
  EXPECT_EQ(google_login().status, 201) << "nothing was registered by the refused tokens";
}

TEST_F(FederatedFlow, AnAccountWhoseEmailIsRegisteredIsLinkedOnlyByItsSignedInOwner) {
  const auto registered = register_customer("ada@example.com");
  ASSERT_EQ(registered.status, 201) << registered.body;
  const auto customer = registered.json()["data"]["customerId"];

  const auto taken = google_login();
  EXPECT_EQ(taken.status, 409) << taken.body;
  EXPECT_EQ(first_error(taken).first, "email");

  const auto access = token_of(login({{"email", "ada@example.com"}, {"password", kPassword}}));
  auto n = nonce();
  EXPECT_EQ(link("not-a-token", "google", google_token(google_claims(n)), n).status, 401);
  const auto linked = link(access, "google", google_token(google_claims(n)), n);
  ASSERT_EQ(linked.status, 200) << linked.body;
  EXPECT_TRUE(linked.headers.contains("x-clientele-position"));

  n = nonce();
  const auto twice = link(access, "google", google_token(google_claims(n)), n);
  EXPECT_EQ(twice.status, 409) << twice.body;
  EXPECT_EQ(first_error(twice).first, "provider");

  const auto signed_in = google_login();
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  EXPECT_EQ(signed_in.json()["data"]["customerId"], customer);

  const auto eve = register_customer("eve@example.com", "Eve", "Later");
  ASSERT_EQ(eve.status, 201);
  n = nonce();
  const auto stolen = link(token_of(eve), "google", google_token(google_claims(n)), n);
  EXPECT_EQ(stolen.status, 409) << stolen.body;
  EXPECT_EQ(first_error(stolen).first, "idToken");
}

TEST_F(FederatedFlow, AProviderThatIsNotConfiguredIs400BeforeTheNonceIsUsed) {
  const auto n = nonce();
  const auto token = google_token(google_claims(n));
  for (const char* provider : {"kakao", "facebook"}) {
    const auto answer = federated(provider, token, n);
    EXPECT_EQ(answer.status, 400) << provider << ": " << answer.body;
    EXPECT_EQ(first_error(answer).first, "provider") << provider;
  }
  const auto unknown = federated("google", token, n, {{"role", "Administrator"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(first_error(unknown).first, "role");
  EXPECT_EQ(federated("google", token, n).status, 201) << "the nonce was still unused";
}

TEST_F(AuthFlow, WithoutIdentityProvidersFederatedLoginIs400OnProvider) {
  const auto answer = post("/api/v1/auth/federated",
                           {{"provider", "google"}, {"idToken", "x.y.z"}, {"nonce", "n"}});
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_EQ(first_error(answer), std::make_pair(std::string("provider"),
                                                std::string("no identity provider is configured")));
}

TEST(OidcConfig, AConfigurationThatDoesNotLoadStopsTheStartWithoutKeyMaterial) {
  TempDir dir;
  write_secrets(dir.path());
  auto jwk = rsa_jwk("g1", google_key());
  const auto modulus = jwk["n"].get<std::string>();
  jwk["e"] = "AAAA";  // a zero exponent: no RSA key
  write_file(dir.path() / "bad-jwks.json", key_set({jwk}).dump());
  const auto provider = [](const json& changes) {
    json entry{{"name", "google"},
               {"issuer", kGoogleIssuer},
               {"audiences", {kGoogleClient}},
               {"jwks", "bad-jwks.json"}};
    entry.update(changes);
    return json{{"providers", {entry}}}.dump();
  };
  const std::vector<std::pair<std::string, std::string>> configs{
      {"{\"providers\": [", "is not a JSON object"},
      {provider({{"name", "facebook"}}), "name must be google, kakao or apple"},
      {provider({{"audience", kGoogleClient}}), "has an unknown member"},
      {provider({{"audiences", json::array()}}), "audiences must be"},
      {provider(json::object()), "not a valid RSA public key"},
  };
  for (const auto& [config, expected] : configs) {
    write_file(dir.path() / "oidc.json", config);
    const auto ran = run_process(
        with(serve_command(dir.path()), {"--oidc-config", (dir.path() / "oidc.json").string()}),
        std::chrono::seconds(60));
    EXPECT_EQ(ran.exit_code, 1) << config;
    EXPECT_NE(ran.err.find("cannot load the identity providers"), std::string::npos) << ran.err;
    EXPECT_NE(ran.err.find(expected), std::string::npos) << ran.err;
    EXPECT_EQ(ran.err.find(modulus.substr(0, 16)), std::string::npos) << "key material logged";
  }
  const auto missing = run_process(
      with(serve_command(dir.path()), {"--oidc-config", (dir.path() / "none.json").string()}),
      std::chrono::seconds(60));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("cannot be read"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace clientele::testing
