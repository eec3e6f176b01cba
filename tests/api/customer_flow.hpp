#pragma once
// The fixture of the customer, order and complaint routes' end-to-end tests (customers_test.cpp,
// addresses_test.cpp, customer_changes_test.cpp, customer_lookups_test.cpp, orders_test.cpp,
// complaints_test.cpp): the auth flow's service, an administrator, registered customers, and
// calls of any method with a token.

#include <cctype>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tests/api/auth_flow.hpp"

namespace clientele::testing {

// One customer: its id, its token and the position of its last write.
struct Customer {
  std::string id;
  std::string token;
  std::string position;
};

// A body of POST .../addresses: Ada's home in Seoul, called `alias`.
inline nlohmann::json home_address(const std::string& alias = "home") {
  return {{"alias", alias},
          {"kind", "home"},
          {"recipientName", "Ada Lovelace"},
          {"phone", "+821012345678"},
          {"addressLine1", "12 Analytical Row"},
          {"addressLine2", "Flat 3"},
          {"city", "Seoul"},
          {"state", "Seoul"},
          {"postalCode", "04524"},
          {"country", "KR"}};
}

// `text` with every byte but letters and digits percent-encoded (for a query parameter).
inline std::string percent_encoded(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte)) {
      out += c;
    } else {
      out += {'%', kHex[byte >> 4], kHex[byte & 0xf]};
    }
  }
  return out;
}

// The status of a refusal and the fields it names, e.g. "409 status".
inline std::string refusal(const HttpAnswer& answer) {
  std::string out = std::to_string(answer.status);
  for (const auto& field : fields_of(answer)) out += " " + field;
  return out;
}

// Each entry of an order's or a complaint's history as "from -> to by role" ("-" for no status).
inline std::vector<std::string> steps_of(const nlohmann::json& history) {
  std::vector<std::string> out;
  for (const auto& entry : history) {
    const auto from = entry.value("from", nlohmann::json()).is_null() ? std::string("-")
                                                                      : entry.value("from", "?");
    out.push_back(from + " -> " + entry.value("to", "?") + " by " +
                  entry.value("actor", nlohmann::json::object()).value("role", "?"));
  }
  return out;
}

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

  // Registers a customer: its id, its access token and the position of its registration.
  Customer signed_up(const std::string& email) {
    const auto answer = register_customer(email);
    EXPECT_EQ(answer.status, 201) << answer.body;
    return {answer.json()["data"].value("customerId", ""), token_of(answer),
            answer.headers.at("x-clientele-position")};
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

  // Waits until the read models hold every write whose position is kept in positions_: the
  // registrations, and what tests keep there. Use with ASSERT_NO_FATAL_FAILURE.
  void settle() { ASSERT_NO_FATAL_FAILURE(wait_for_registrations()); }

  std::string last_token_;              // of the customer registered last
  std::vector<std::string> positions_;  // of the registrations and of writes kept for settle()
};

}  // namespace clientele::testing
