// The auth flow of `clientele serve` end to end, as a REST client goes through it over HTTP
// (issue 6): register, read me with the position of the write, log in, refresh with rotation and
// reuse detection, log out, change the password; every refusal on the way (401, 403, 409, 400,
// 415, 429); tampered tokens; a restart between a write and its read.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "api/jwt.hpp"
#include "infra/outbox_notifier.hpp"
#include "tests/api/auth_flow.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"

namespace clientele::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

TEST_F(AuthFlow, RegisterThenReadMeWithThePositionOfTheWrite) {
  const auto registered = register_customer("ada@example.com");
  ASSERT_EQ(registered.status, 201) << registered.body;
  const auto data = registered.json()["data"];
  EXPECT_EQ(data["tokenType"], "Bearer");
  EXPECT_EQ(data["expiresIn"], 900);
  EXPECT_TRUE(data["customerId"].get<std::string>().starts_with("CUST_"));
  EXPECT_EQ(data["customerId"].get<std::string>().size(), 13u);
  ASSERT_TRUE(registered.headers.contains("x-clientele-position"));

  const auto mine = me(token_of(registered), registered.headers.at("x-clientele-position"));
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_FALSE(mine.headers.contains("x-clientele-stale"));
  const auto customer = mine.json()["data"];
  EXPECT_EQ(customer["customerId"], data["customerId"]);
  EXPECT_EQ(customer["email"], "ada@example.com");
  EXPECT_EQ(customer["username"], "adalovelace1");
  EXPECT_EQ(customer["fullName"], "Ada Lovelace");
  EXPECT_EQ(customer["status"], "Active");
  EXPECT_EQ(mine.headers.at("etag"), "\"1\"");
  for (const char* hidden : {"passwordHash", "password", "notes", "version", "erased"}) {
    EXPECT_FALSE(customer.contains(hidden)) << hidden;
  }
  const auto metrics = http_get(service_->url("/metrics")).body;
  EXPECT_NE(metrics.find("clientele_events_appended_total 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("clientele_commands_total{result=\"decided\"} 1\n"), std::string::npos);
}

TEST_F(AuthFlow, EveryLoginIsReadBackByTheNextQueryNeverStale) {
  const auto registered = register_customer("ada@example.com");
  ASSERT_EQ(registered.status, 201) << registered.body;
  for (int i = 1; i <= 100; ++i) {
    const auto signed_in = login({{"email", "ada@example.com"}, {"password", kPassword}});
    ASSERT_EQ(signed_in.status, 200) << signed_in.body;
    const auto mine = me(token_of(signed_in), signed_in.headers.at("x-clientele-position"));
    ASSERT_EQ(mine.status, 200) << mine.body;
    ASSERT_FALSE(mine.headers.contains("x-clientele-stale")) << "read " << i << " was stale";
    ASSERT_EQ(mine.json()["data"]["loginCount"], i) << "read " << i;
  }
}

TEST_F(AuthFlow, LoginByUsernameAndEveryWrongCredentialIsOneAnswer) {
  ASSERT_EQ(register_customer("ada@example.com").status, 201);
  EXPECT_EQ(login({{"username", "AdaLovelace1"}, {"password", kPassword}}).status, 200);

  const auto wrong = login({{"email", "ada@example.com"}, {"password", "wrong horse 42"}});
  const auto unknown = login({{"email", "nobody@example.com"}, {"password", kPassword}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.json()["message"], unknown.json()["message"]);

  const auto both = login({{"email", "ada@example.com"}, {"username", "x"}, {"password", "p"}});
  EXPECT_EQ(both.status, 400);
  const auto unknown_field = login({{"email", "a@b.c"}, {"password", "p"}, {"role", "x"}});
  EXPECT_EQ(unknown_field.status, 400);
  EXPECT_EQ(unknown_field.json()["errors"][0]["field"], "role");
}

TEST_F(AuthFlow, RegistrationRefusesBadInputAndTakenEmails) {
  ASSERT_EQ(register_customer("ada@example.com").status, 201);
  const auto taken = register_customer("ADA@example.com");
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(taken.json()["errors"][0]["field"], "email");

  const auto weak = post("/api/v1/auth/register", {{"email", "bob@example.com"},
                                                   {"password", "short"},
                                                   {"firstName", "Bob"},
                                                   {"lastName", "Stone"}});
  EXPECT_EQ(weak.status, 400);
  EXPECT_EQ(weak.json()["errors"][0]["field"], "password");
  EXPECT_EQ(weak.body.find("short"), std::string::npos) << "the password came back";

  const auto role = post("/api/v1/auth/register", {{"email", "bob@example.com"},
                                                   {"password", kPassword},
                                                   {"firstName", "Bob"},
                                                   {"lastName", "Stone"},
                                                   {"role", "Administrator"}});
  EXPECT_EQ(role.status, 400);
  EXPECT_EQ(role.json()["errors"][0]["field"], "role");

  const auto text = http({.method = "POST",
                          .url = service_->url("/api/v1/auth/register"),
                          .body = "email=bob@example.com",
                          .headers = {"Content-Type: application/x-www-form-urlencoded"}});
  EXPECT_EQ(text.status, 415);
  EXPECT_EQ(register_customer("bob@example.com", "Bob", "Stone").status, 201) << "nothing stuck";
}

TEST_F(AuthFlow, ARetriedRegistrationWithItsIdempotencyKeyGetsTheFirstAnswer) {
  const json ada{{"email", "ada@example.com"},
                 {"password", kPassword},
                 {"firstName", "Ada"},
                 {"lastName", "Lovelace"}};
  const auto first = post("/api/v1/auth/register", ada, {"Idempotency-Key: 7f3c-ada"});
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_FALSE(first.headers.contains("idempotent-replayed"));

  const auto again = post("/api/v1/auth/register", ada, {"Idempotency-Key: 7f3c-ada"});
  EXPECT_EQ(again.status, 201) << "run twice, it would be 409: " << again.body;
  EXPECT_EQ(again.headers.at("idempotent-replayed"), "true");
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.headers.at("x-clientele-position"), first.headers.at("x-clientele-position"));
  const auto kept_in = files_containing({dir_.path() / "var"}, token_of(first, "refreshToken"));
  EXPECT_TRUE(kept_in.empty()) << "the kept answer is readable in " << kept_in.front();

  auto other = ada;
  other["firstName"] = "Augusta";
  const auto mismatch = post("/api/v1/auth/register", other, {"Idempotency-Key: 7f3c-ada"});
  EXPECT_EQ(mismatch.status, 422);
  EXPECT_EQ(mismatch.json()["errors"][0]["field"], "Idempotency-Key");
  EXPECT_EQ(post("/api/v1/auth/register", ada).status, 409) << "without the key it runs";
  EXPECT_EQ(
      post("/api/v1/auth/register", ada, {"Idempotency-Key: " + std::string(300, 'k')}).status,
      400);

  ASSERT_EQ(service_->child.stop(SIGTERM), 0);
  ASSERT_NO_FATAL_FAILURE(start());
  const auto after_restart = post("/api/v1/auth/register", ada, {"Idempotency-Key: 7f3c-ada"});
  EXPECT_EQ(after_restart.status, 201);
  EXPECT_EQ(after_restart.body, first.body);
}

TEST_F(AuthFlow, FiftyConcurrentRegistrationsWithOneEmailGiveOneCustomer) {
  std::atomic<int> created{0};
  std::atomic<int> conflicts{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 50; ++i) {
    clients.emplace_back([&] {
      const auto answer = register_customer("same@example.com");
      if (answer.status == 201) ++created;
      if (answer.status == 409) ++conflicts;
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(conflicts.load(), 49);
}

TEST_F(AuthFlow, RefreshRotatesAndAReusedTokenEndsTheSession) {
  const auto registered = register_customer("ada@example.com");
  ASSERT_EQ(registered.status, 201);
  const auto first = token_of(registered, "refreshToken");
  const auto refreshed = post("/api/v1/auth/refresh", {{"refreshToken", first}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  const auto second = token_of(refreshed, "refreshToken");
  EXPECT_NE(second, first);
  EXPECT_EQ(me(token_of(refreshed), registered.headers.at("x-clientele-position")).status, 200)
      << "the new access token works";

  EXPECT_EQ(post("/api/v1/auth/refresh", {{"refreshToken", first}}).status, 401) << "reuse";
  EXPECT_EQ(post("/api/v1/auth/refresh", {{"refreshToken", second}}).status, 401)
      << "the reuse revoked the whole session";
  EXPECT_EQ(post("/api/v1/auth/refresh", {{"refreshToken", "garbage"}}).status, 401);
}

TEST_F(AuthFlow, LogoutEndsTheSessionOnly) {
  ASSERT_EQ(register_customer("ada@example.com").status, 201);
  const auto one = login({{"email", "ada@example.com"}, {"password", kPassword}});
  const auto two = login({{"email", "ada@example.com"}, {"password", kPassword}});
  const auto out = post("/api/v1/auth/logout", {{"refreshToken", token_of(one, "refreshToken")}});
  EXPECT_EQ(out.status, 200) << out.body;
  EXPECT_EQ(post("/api/v1/auth/refresh", {{"refreshToken", token_of(one, "refreshToken")}}).status,
            401);
  EXPECT_EQ(post("/api/v1/auth/refresh", {{"refreshToken", token_of(two, "refreshToken")}}).status,
            200);
}

TEST_F(AuthFlow, ChangingThePasswordNeedsTheCurrentOneAndEndsEverySession) {
  const auto registered = register_customer("ada@example.com");
  ASSERT_EQ(registered.status, 201);
  const auto access = token_of(registered);
  const auto wrong =
      put("/api/v1/auth/change-password",
          {{"currentPassword", "wrong horse 1"}, {"newPassword", "new horse 43"}}, access);
  EXPECT_EQ(wrong.status, 401);
  const auto changed =
      put("/api/v1/auth/change-password",
          {{"currentPassword", kPassword}, {"newPassword", "new horse 43"}}, access);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(login({{"email", "ada@example.com"}, {"password", kPassword}}).status, 401);
  EXPECT_EQ(login({{"email", "ada@example.com"}, {"password", "new horse 43"}}).status, 200);
  EXPECT_EQ(
      post("/api/v1/auth/refresh", {{"refreshToken", token_of(registered, "refreshToken")}}).status,
      401);
}

// The parts of a JWT, and the base64url of JSON (as tokens spell it).
std::vector<std::string> parts_of(const std::string& token) {
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  return {token.substr(0, first), token.substr(first + 1, second - first - 1),
          token.substr(second + 1)};
}
std::string base64url(const std::string& text) {
  return api::base64url_encode(text);
}

TEST_F(AuthFlow, TamperedAndMissingTokensAre401WithAChallenge) {
  const auto registered = register_customer("ada@example.com");
  ASSERT_EQ(registered.status, 201);
  const auto token = token_of(registered);
  const auto parts = parts_of(token);
  ASSERT_EQ(me(token, registered.headers.at("x-clientele-position")).status, 200);

  const auto none = base64url(R"({"alg":"none","typ":"JWT"})") + "." + parts[1] + ".";
  const auto admin = base64url(R"({"alg":"HS256","typ":"JWT"})") + "." +
                     base64url(R"({"sub":"x","role":"Administrator"})") + "." + parts[2];
  std::string flipped = token;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  for (const auto& bad :
       {none, admin, flipped, std::string("not.a.jwt"), parts[0] + "." + parts[1]}) {
    const auto answer = me(bad);
    EXPECT_EQ(answer.status, 401) << bad;
    ASSERT_TRUE(answer.headers.contains("www-authenticate")) << bad;
    EXPECT_NE(answer.headers.at("www-authenticate").find("invalid_token"), std::string::npos);
  }
  const auto missing = http_get(service_->url("/api/v1/customers/me"));
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.headers.at("www-authenticate"), R"(Bearer realm="clientele")");
}

TEST_F(AuthFlow, FailedLoginsBackOffWith429AndRetryAfter) {
  ASSERT_EQ(register_customer("ada@example.com").status, 201);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(login({{"email", "ada@example.com"}, {"password", "wrong horse 1"}}).status, 401);
  }
  const auto refused = login({{"email", "ada@example.com"}, {"password", kPassword}});
  EXPECT_EQ(refused.status, 429);
  ASSERT_TRUE(refused.headers.contains("retry-after"));
  EXPECT_GE(std::stoi(refused.headers.at("retry-after")), 1);
  EXPECT_EQ(login({{"email", "other@example.com"}, {"password", "wrong1pass"}}).status, 401)
      << "another account is not held back";
}

TEST(AuthRateLimit, EachClientAddressHasABudgetOnTheAuthRoutes) {
  TempDir dir;
  write_secrets(dir.path());
  Service service(with(serve_command(dir.path()), auth_options("0.01", "3")), dir.path());
  ASSERT_FALSE(service.address.empty());
  const auto ask = [&] {
    return http({.method = "POST",
                 .url = service.url("/api/v1/auth/login"),
                 .body = R"({"email":"a@example.com","password":"wrong1pass"})",
                 .headers = {"Content-Type: application/json"}});
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ask().status, 401);
  const auto limited = ask();
  EXPECT_EQ(limited.status, 429);
  EXPECT_TRUE(limited.headers.contains("retry-after"));
  EXPECT_EQ(http_get(service.url("/healthz")).status, 200) << "other routes are not limited";
}

// The codes the service sent, as its outbox holds them.
std::vector<commands::Notification> outbox_of(const std::filesystem::path& dir) {
  auto sent = infra::read_outbox(dir / "var" / "outbox");
  EXPECT_TRUE(sent.ok()) << sent.error().message;
  return sent.ok() ? *sent : std::vector<commands::Notification>{};
}

TEST_F(AuthFlow, AStaleIfMatchIs412AndChangesNothing) {
  const auto registered = register_customer("ada@example.com");
  ASSERT_EQ(registered.status, 201);
  const auto access = token_of(registered);
  const auto mine = me(access, registered.headers.at("x-clientele-position"));
  ASSERT_EQ(mine.status, 200);
  const auto etag = mine.headers.at("etag");
  const json change{{"currentPassword", kPassword}, {"newPassword", "new horse 43"}};
  const auto with_if_match = [&](const std::string& value) {
    return http({.method = "PUT",
                 .url = service_->url("/api/v1/auth/change-password"),
                 .body = change.dump(),
                 .headers = {"Content-Type: application/json", "Authorization: Bearer " + access,
                             "If-Match: " + value}});
  };
  const auto stale = with_if_match("\"99\"");
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(stale.json()["errors"][0]["field"], "If-Match");
  EXPECT_EQ(with_if_match("W/\"1\"").status, 400);
  const auto signed_in = login({{"email", "ada@example.com"}, {"password", kPassword}});
  ASSERT_EQ(signed_in.status, 200) << "nothing changed";
  // The login appended an event: the ETag read before it is stale now.
  EXPECT_EQ(with_if_match(etag).status, 412);
  const auto fresh = me(access, signed_in.headers.at("x-clientele-position"));
  EXPECT_NE(fresh.headers.at("etag"), etag);
  const auto current = with_if_match(fresh.headers.at("etag"));
  EXPECT_EQ(current.status, 200) << current.body;
}

TEST_F(AuthFlow, AForgottenPasswordIsResetWithTheCodeFromTheOutbox) {
  const auto registered = register_customer("ada@example.com");
  ASSERT_EQ(registered.status, 201);
  const auto customer = registered.json()["data"]["customerId"].get<std::string>();

  const auto unknown = post("/api/v1/auth/forgot-password", {{"email", "nobody@example.com"}});
  EXPECT_EQ(unknown.status, 202);
  EXPECT_TRUE(outbox_of(dir_.path()).empty()) << "no code for an unknown email";
  const auto asked = post("/api/v1/auth/forgot-password", {{"email", "ADA@example.com"}});
  EXPECT_EQ(asked.status, 202) << asked.body;
  EXPECT_EQ(asked.json()["message"], unknown.json()["message"]) << "the answer tells nothing";

  const auto sent = outbox_of(dir_.path());
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].kind, "password-reset-code");
  EXPECT_EQ(sent[0].customer_id.str(), customer);
  EXPECT_EQ(sent[0].recipient, "ada@example.com");
  ASSERT_EQ(sent[0].code.size(), 6u);
  const auto wrong_code = sent[0].code == "000000" ? "111111" : "000000";

  const auto reset = [&](const std::string& code) {
    return post("/api/v1/auth/reset-password",
                {{"email", "ada@example.com"}, {"code", code}, {"newPassword", "new horse 43"}});
  };
  EXPECT_EQ(reset(wrong_code).status, 401);
  const auto done = reset(sent[0].code);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(reset(sent[0].code).status, 401) << "a code works once";
  EXPECT_EQ(login({{"email", "ada@example.com"}, {"password", kPassword}}).status, 401);
  EXPECT_EQ(login({{"email", "ada@example.com"}, {"password", "new horse 43"}}).status, 200);
  EXPECT_EQ(
      post("/api/v1/auth/refresh", {{"refreshToken", token_of(registered, "refreshToken")}}).status,
      401)
      << "the reset ended every session";
}

TEST_F(AuthFlow, ACustomerSignsInWithACodeSentToTheirPhone) {
  const auto registered = post("/api/v1/auth/register", {{"email", "ada@example.com"},
                                                         {"password", kPassword},
                                                         {"firstName", "Ada"},
                                                         {"lastName", "Lovelace"},
                                                         {"phone", "+14155550100"}});
  ASSERT_EQ(registered.status, 201) << registered.body;
  ASSERT_EQ(post("/api/v1/auth/register", {{"email", "eve@example.com"},
                                           {"password", kPassword},
                                           {"firstName", "Eve"},
                                           {"lastName", "Later"},
                                           {"phone", "+14155550100"}})
                .status,
            201);
  EXPECT_EQ(post("/api/v1/auth/phone/request", {{"phone", "+14155550199"}}).status, 202);
  EXPECT_TRUE(outbox_of(dir_.path()).empty()) << "no code for a number no one has";
  EXPECT_EQ(post("/api/v1/auth/phone/request", {{"phone", "0415"}}).status, 400);

  ASSERT_EQ(post("/api/v1/auth/phone/request", {{"phone", "+14155550100"}}).status, 202);
  const auto sent = outbox_of(dir_.path());
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].kind, "phone-otp");
  EXPECT_EQ(sent[0].recipient, "+14155550100");
  EXPECT_EQ(sent[0].customer_id.str(), registered.json()["data"]["customerId"])
      << "the number leads to the customer who had it first";

  const auto verify = [&](const std::string& code) {
    return post("/api/v1/auth/phone/verify", {{"phone", "+14155550100"}, {"code", code}});
  };
  EXPECT_EQ(verify(sent[0].code == "000000" ? "111111" : "000000").status, 401);
  const auto signed_in = verify(sent[0].code);
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  EXPECT_EQ(signed_in.json()["data"]["customerId"], registered.json()["data"]["customerId"]);
  EXPECT_EQ(verify(sent[0].code).status, 401) << "a code works once";
  const auto mine = me(token_of(signed_in), signed_in.headers.at("x-clientele-position"));
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(mine.json()["data"]["loginCount"], 1);
}

TEST_F(AuthFlow, FiveWrongCodesKillTheCode) {
  ASSERT_EQ(register_customer("ada@example.com").status, 201);
  ASSERT_EQ(post("/api/v1/auth/forgot-password", {{"email", "ada@example.com"}}).status, 202);
  const auto sent = outbox_of(dir_.path());
  ASSERT_EQ(sent.size(), 1u);
  const auto wrong_code = sent[0].code == "000000" ? "111111" : "000000";
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(
        post("/api/v1/auth/reset-password",
             {{"email", "ada@example.com"}, {"code", wrong_code}, {"newPassword", "new horse 43"}})
            .status,
        401);
  }
  EXPECT_EQ(
      post("/api/v1/auth/reset-password",
           {{"email", "ada@example.com"}, {"code", sent[0].code}, {"newPassword", "new horse 43"}})
          .status,
      401);
}

TEST_F(AuthFlow, ErasureClearsTheOutboxAndEndsTheSessions) {
  const auto registered = register_customer("ada@example.com");
  ASSERT_EQ(registered.status, 201);
  const auto customer = registered.json()["data"]["customerId"].get<std::string>();
  ASSERT_EQ(register_customer("bob@example.com", "Bob", "Stone").status, 201);
  ASSERT_EQ(post("/api/v1/auth/forgot-password", {{"email", "ada@example.com"}}).status, 202);
  ASSERT_EQ(post("/api/v1/auth/forgot-password", {{"email", "bob@example.com"}}).status, 202);
  ASSERT_EQ(outbox_of(dir_.path()).size(), 2u);
  ASSERT_NO_FATAL_FAILURE(erase_while_stopped(customer));
  const auto left = outbox_of(dir_.path());
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].recipient, "bob@example.com");

  ASSERT_NO_FATAL_FAILURE(start());
  EXPECT_EQ(
      post("/api/v1/auth/refresh", {{"refreshToken", token_of(registered, "refreshToken")}}).status,
      401);
  EXPECT_EQ(login({{"email", "ada@example.com"}, {"password", kPassword}}).status, 401);
  EXPECT_EQ(register_customer("ada@example.com").status, 201) << "the email is free again";
}

TEST_F(AuthFlow, AnAdministratorMadeThroughTheRunningServiceSignsInAsAdministrator) {
  const auto made = create_administrator(dir_.path(), "boss@example.com", kPassword);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const auto created = json::parse(made.out);
  EXPECT_TRUE(created["userId"].get<std::string>().starts_with("ADM_"));
  EXPECT_NE(made.err.find("the running service executed the command"), std::string::npos)
      << made.err;

  const auto signed_in = login({{"email", "boss@example.com"}, {"password", kPassword}});
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  EXPECT_EQ(signed_in.json()["data"]["role"], "Administrator");
  EXPECT_EQ(signed_in.json()["data"]["userId"], created["userId"]);
  EXPECT_FALSE(signed_in.json()["data"].contains("customerId"));
  EXPECT_EQ(me(token_of(signed_in)).status, 403) << "an administrator is no customer";

  const auto refreshed =
      post("/api/v1/auth/refresh", {{"refreshToken", token_of(signed_in, "refreshToken")}});
  ASSERT_EQ(refreshed.status, 200);
  EXPECT_EQ(refreshed.json()["data"]["role"], "Administrator");
  EXPECT_EQ(login({{"email", "boss@example.com"}, {"password", "wrong horse 1"}}).status, 401);
  EXPECT_EQ(register_customer("boss@example.com").status, 409);

  const auto again = create_administrator(dir_.path(), "BOSS@example.com", kPassword);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("administrator"), std::string::npos) << again.err;
  const auto weak = create_administrator(dir_.path(), "other@example.com", "short");
  EXPECT_EQ(weak.exit_code, 1);
  EXPECT_EQ(weak.err.find("short"), std::string::npos) << "the password was logged";
}

TEST(Administrators, AreMadeWithoutARunningServiceToo) {
  TempDir dir;
  write_secrets(dir.path());
  const auto made = create_administrator(dir.path(), "boss@example.com", kPassword);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  Service service(with(serve_command(dir.path()), auth_options()), dir.path());
  ASSERT_FALSE(service.address.empty());
  const auto signed_in =
      http({.method = "POST",
            .url = service.url("/api/v1/auth/login"),
            .body = json{{"email", "boss@example.com"}, {"password", kPassword}}.dump(),
            .headers = {"Content-Type: application/json"}});
  EXPECT_EQ(signed_in.status, 200) << signed_in.body;
  EXPECT_EQ(signed_in.json()["data"]["role"], "Administrator");
}

TEST(AuthFlowOnKafka, RegisterLoginAndReadMeThroughTheDevBroker) {
  TempDir dir;
  write_secrets(dir.path());
  DevBroker broker(dir.path());
  ASSERT_FALSE(broker.servers.empty()) << "no broker";
  Service service(with(serve_command(dir.path()),
                       with(auth_options(), {"--event-log", "kafka://" + broker.servers})),
                  dir.path());
  ASSERT_FALSE(service.address.empty());
  const auto post = [&](const std::string& path, const json& body) {
    return http({.method = "POST",
                 .url = service.url(path),
                 .body = body.dump(),
                 .headers = {"Content-Type: application/json"}});
  };
  const auto registered = post("/api/v1/auth/register", {{"email", "ada@example.com"},
                                                         {"password", kPassword},
                                                         {"firstName", "Ada"},
                                                         {"lastName", "Lovelace"}});
  ASSERT_EQ(registered.status, 201) << registered.body;
  EXPECT_EQ(post("/api/v1/auth/register", {{"email", "ada@example.com"},
                                           {"password", kPassword},
                                           {"firstName", "Ada"},
                                           {"lastName", "Lovelace"}})
                .status,
            409);
  const auto signed_in =
      post("/api/v1/auth/login", {{"username", "adalovelace1"}, {"password", kPassword}});
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  const auto mine =
      http({.url = service.url("/api/v1/customers/me"),
            .headers = {"Authorization: Bearer " + token_of(signed_in),
                        "X-Clientele-Position: " + signed_in.headers.at("x-clientele-position")}});
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_FALSE(mine.headers.contains("x-clientele-stale"));
  EXPECT_EQ(mine.json()["data"]["loginCount"], 1);
  EXPECT_EQ(service.child.stop(SIGTERM), 0);
  EXPECT_EQ(broker.child.stop(SIGTERM), 0);
}

TEST_F(AuthFlow, AWriteIsReadBackAfterARestart) {
  const auto registered = register_customer("ada@example.com");
  ASSERT_EQ(registered.status, 201);
  const auto position = registered.headers.at("x-clientele-position");
  ASSERT_EQ(service_->child.stop(SIGTERM), 0);
  ASSERT_NO_FATAL_FAILURE(start());

  const auto mine = me(token_of(registered), position);
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(mine.json()["data"]["email"], "ada@example.com");
  EXPECT_EQ(login({{"username", "adalovelace1"}, {"password", kPassword}}).status, 200)
      << "the write side knows the customer after the restart";
  EXPECT_EQ(register_customer("ada@example.com").status, 409);
  EXPECT_EQ(
      post("/api/v1/auth/refresh", {{"refreshToken", token_of(registered, "refreshToken")}}).status,
      200)
      << "sessions survive the restart";
}

}  // namespace
}  // namespace clientele::testing
