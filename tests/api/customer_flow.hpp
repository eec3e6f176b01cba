#pragma once
// The fixture of the customer routes' end-to-end tests (customers_test.cpp, addresses_test.cpp,
// customer_changes_test.cpp): the auth flow's service, an administrator, registered customers,
// and calls of any method with a token.

#include <set>
#include <string>
#include <vector>

#include "tests/api/auth_flow.hpp"

namespace clientele::testing {

class CustomerFlow : public AuthFlow {
 protected:
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

  std::string last_token_;  // of the customer registered last
  std::vector<std::string> positions_;
};

}  // namespace clientele::testing
