#pragma once
// The fixture of the API's end-to-end tests (auth_test.cpp, customers_test.cpp, addresses_test.cpp
// and others): the real `clientele serve` on a free port, and what a REST client sends it over
// HTTP.

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "events/crypto.hpp"
#include "tests/support/clientele.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::testing {

inline constexpr const char* kPassword = "correct horse 42";

// Cheap password hashing, and a rate limit on the auth routes of `rate` requests per second
// after a burst of `burst` (by default one the tests do not reach unless they mean to).
inline std::vector<std::string> auth_options(const std::string& rate = "1000",
                                             const std::string& burst = "1000") {
  return {"--argon2-ops", "1",  "--argon2-memory-mib", "1",  "--allow-weak-password-hashing",
          "--auth-rate",  rate, "--auth-burst",        burst};
}

inline std::vector<std::string> with(std::vector<std::string> base,
                                     const std::vector<std::string>& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

// `clientele admin create --email EMAIL` on the installation in `dir`, with `password` on stdin.
inline Finished create_administrator(const std::filesystem::path& dir, const std::string& email,
                                     const std::string& password) {
  auto argv = with({kBinary, "admin", "create", "--email", email}, store_options(dir));
  return run_process(argv, std::chrono::seconds(60), password + "\n");
}

// A new installation's secrets in `dir` (store_options).
inline void write_secrets(const std::filesystem::path& dir) {
  write_secret(dir / "kek", events::SecretKey::random());
  write_secret(dir / "pepper", events::SecretKey::random());
}

inline std::string token_of(const HttpAnswer& answer, const char* which = "accessToken") {
  return answer.json()["data"].value(which, "");
}

// A `clientele serve` on a new installation in a temporary directory (started before each test),
// and a REST client's calls to it.
class AuthFlow : public ::testing::Test {
 protected:
  AuthFlow() { write_secrets(dir_.path()); }

  void start(std::vector<std::string> extra = auth_options()) {
    service_.reset();
    service_ = std::make_unique<Service>(with(serve_command(dir_.path()), extra), dir_.path());
    ASSERT_FALSE(service_->address.empty()) << "the service did not start";
  }
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(start()); }

  HttpAnswer post(const std::string& path, const nlohmann::json& body,
                  std::vector<std::string> headers = {}) {
    headers.push_back("Content-Type: application/json");
    return http(
        {.method = "POST", .url = service_->url(path), .body = body.dump(), .headers = headers});
  }
  HttpAnswer put(const std::string& path, const nlohmann::json& body, const std::string& token) {
    return http({.method = "PUT",
                 .url = service_->url(path),
                 .body = body.dump(),
                 .headers = {"Content-Type: application/json", "Authorization: Bearer " + token}});
  }
  HttpAnswer me(const std::string& token, const std::string& position = "") {
    std::vector<std::string> headers{"Authorization: Bearer " + token};
    if (!position.empty()) headers.push_back("X-Clientele-Position: " + position);
    return http({.url = service_->url("/api/v1/customers/me"), .headers = headers});
  }

  HttpAnswer register_customer(const std::string& email, const std::string& first = "Ada",
                               const std::string& last = "Lovelace") {
    return post(
        "/api/v1/auth/register",
        {{"email", email}, {"password", kPassword}, {"firstName", first}, {"lastName", last}});
  }
  HttpAnswer login(const nlohmann::json& body) { return post("/api/v1/auth/login", body); }

  // GET `path` with `token` (none when empty) and the position of a write.
  HttpAnswer get(const std::string& path, const std::string& token,
                 const std::string& position = "") {
    std::vector<std::string> headers;
    if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
    if (!position.empty()) headers.push_back("X-Clientele-Position: " + position);
    return http({.url = service_->url(path), .headers = headers});
  }

  // An administrator's access token (the administrator is made on first use).
  std::string administrator() {
    if (admin_token_.empty()) {
      const auto made = create_administrator(dir_.path(), "boss@example.com", kPassword);
      EXPECT_EQ(made.exit_code, 0) << made.err;
      admin_token_ = token_of(login({{"email", "boss@example.com"}, {"password", kPassword}}));
    }
    return admin_token_;
  }

  // Stops the service and erases `customer` with `clientele erase`, which needs the installation
  // to itself; start() serves again. Use with ASSERT_NO_FATAL_FAILURE.
  void erase_while_stopped(const std::string& customer) {
    ASSERT_EQ(service_->child.stop(SIGTERM), 0);
    const auto erased =
        run_process(with({kBinary, "erase", "--customer", customer, "--reason", "gdpr-art17",
                          "--legal-basis", "GDPR Art. 17(1)(a)", "--requested-by", "ADM_00000001"},
                         store_options(dir_.path())));
    ASSERT_EQ(erased.exit_code, 0) << erased.err;
  }

  TempDir dir_;
  std::unique_ptr<Service> service_;
  std::string admin_token_;  // administrator()'s, once made
};

// The `errors` fields of a failed answer.
inline std::set<std::string> fields_of(const HttpAnswer& answer) {
  std::set<std::string> out;
  const auto body = answer.json();
  for (const auto& error : body["errors"]) out.insert(error.value("field", ""));
  return out;
}

}  // namespace clientele::testing
