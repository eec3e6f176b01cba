#pragma once
// The fixture of the customer routes' end-to-end tests (customers_test.cpp,
// customer_changes_test.cpp): the auth flow's service, an administrator, registered customers,
// and calls of any method with a token.

#include <set>
#include <string>
#include <vector>

#include "tests/api/auth_flow.hpp"

namespace clientele::testing {

class CustomerFlow : public AuthFlow {
 protected:
  // GET `path` with `token` (none when empty) and the position of a write.
  HttpAnswer get(const std::string& path, const std::string& token,
                 const std::string& position = "") {
    std::vector<std::string> headers;
    if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
    if (!position.empty()) headers.push_back("X-Clientele-Position: " + position);
    return http({.url = service_->url(path), .headers = headers});
  }

  // `method` `path` with `token` (none when empty), a JSON `body` (none when null) and more
  // `headers`.
  HttpAnswer send(const std::string& method, const std::string& path, const std::string& token,
                  const nlohmann::json& body = nullptr, std::vector<std::string> headers = {}) {
    if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
    if (!body.is_null()) headers.push_back("Content-Type: application/json");
    return http({.method = method,
                 .url = service_->url(path),
                 .body = body.is_null() ? "" : body.dump(),
                 .headers = headers});
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

  // Registers a customer; returns its id, and keeps the position of the registration.
  std::string registered(const std::string& email, const std::string& first = "Ada",
                         const std::string& last = "Lovelace") {
    const auto answer = register_customer(email, first, last);
    EXPECT_EQ(answer.status, 201) << answer.body;
    positions_.push_back(answer.headers.at("x-clientele-position"));
    last_token_ = token_of(answer);
    return answer.json()["data"].value("customerId", "");
  }

  // Waits until the read models hold every registration made so far.
  void wait_for_registrations() {
    for (const auto& position : positions_) {
      const auto answer = get("/api/v1/customers/analytics", administrator(), position);
      ASSERT_EQ(answer.status, 200) << answer.body;
      ASSERT_FALSE(answer.headers.contains("x-clientele-stale"));
    }
  }

  // The `errors` fields of a 400 answer.
  static std::set<std::string> fields_of(const HttpAnswer& answer) {
    std::set<std::string> out;
    const auto body = answer.json();
    for (const auto& error : body["errors"]) out.insert(error.value("field", ""));
    return out;
  }

  std::string admin_token_;
  std::string last_token_;  // of the customer registered last
  std::vector<std::string> positions_;
};

}  // namespace clientele::testing
