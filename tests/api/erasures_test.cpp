// Erasure over HTTP, end to end against `clientele serve` (issue 7, item 3): an administrator asks
// for a customer's erasure (202), follows it to its receipt, and afterwards no file of the data
// directory holds any of the customer's personal values, while the customer is the anonymous
// record, and its export the anonymous record only; its orders keep ids, amounts, statuses and
// times, but no delivery address (its country aside), reason or note, and its complaints their
// categories, statuses and steps, but no subject, description, comment or notes (issue 8, item 4).
// Bad requests and unknown customers are refused before anything is recorded; customers may not
// ask; asking again completes with the first receipt.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/api/customer_flow.hpp"
#include "tests/support/files.hpp"

namespace clientele::testing {
namespace {

using nlohmann::json;

constexpr const char* kErasures = "/api/v1/admin/erasures";

class Erasures : public CustomerFlow {
 protected:
  json erasure_of(const std::string& customer) {
    return {{"customerId", customer},
            {"reasonCode", "gdpr-art17"},
            {"legalBasis", "GDPR Art. 17(1)(a)"}};
  }

  // Follows the erasure at `location` until it is completed or failed (at most 30 s).
  json followed(const std::string& location) {
    json erasure;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    do {
      const auto answer = get(location, administrator());
      EXPECT_EQ(answer.status, 200) << answer.body;
      erasure = answer.json()["data"];
      const auto status = erasure.value("status", "");
      if (status == "completed" || status == "failed") return erasure;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } while (std::chrono::steady_clock::now() < until);
    ADD_FAILURE() << "the erasure did not finish: " << erasure;
    return erasure;
  }

  // Sends a change that must succeed, with the position of the change before; the data it
  // answers.
  json wrote(const std::string& method, const std::string& path, const std::string& as,
             const json& body) {
    auto answer = send(method, path, as, body, {"X-Clientele-Position: " + position_});
    EXPECT_LT(answer.status, 300) << method << " " << path << ": " << answer.body;
    position_ = answer.headers["x-clientele-position"];
    return answer.json()["data"];
  }

  // Erases `customer` over HTTP, checking that each of `values` is in the data directory before
  // (else the scan proves nothing) and nowhere after; the erasure's receipt.
  json erased_leaving_none_of(const std::string& customer, const std::vector<std::string>& values) {
    for (const auto& value : values) {
      EXPECT_FALSE(holding(value).empty()) << value << " is nowhere: the scan proves nothing";
    }
    const auto accepted = send("POST", kErasures, administrator(), erasure_of(customer));
    EXPECT_EQ(accepted.status, 202) << accepted.body;
    if (accepted.status != 202) return json();
    auto receipt = followed(accepted.headers.at("location"));
    for (const auto& value : values) {
      EXPECT_EQ(holding(value), std::vector<std::string>{}) << value << " survived the erasure";
    }
    return receipt;
  }

  // The files under the data directory that hold `marker`.
  std::vector<std::string> holding(const std::string& marker) {
    return files_containing({dir_.path() / "var"}, marker);
  }

  std::string position_;  // of the last change wrote() sent
};

TEST_F(Erasures, AnErasureAskedOverHttpLeavesNoPersonalValueInTheDataDirectory) {
  // Markers in every kind of personal field: names, email, phone, company, an address.
  const std::string marker = "Qzmark";
  const auto id = registered("qzmark.mail@example.com", marker + "first", marker + "last");
  const auto token = last_token_;
  auto changed = send("PUT", "/api/v1/customers/me", token,
                      {{"phone", "+14155550177"}, {"companyName", marker + "company"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  const auto address = send("POST", "/api/v1/customers/me/addresses", token,
                            {{"alias", "home"},
                             {"recipientName", marker + "recipient"},
                             {"addressLine1", marker + "street 1"},
                             {"city", "Seoul"},
                             {"postalCode", "04524"},
                             {"country", "KR"}});
  ASSERT_EQ(address.status, 201) << address.body;
  const auto folded =
      get("/api/v1/customers/" + id, administrator(), address.headers.at("x-clientele-position"));
  ASSERT_EQ(folded.json()["data"]["companyName"], marker + "company");
  // The scan works: the read models hold the values in the clear.
  for (const auto& value : {marker + "first", marker + "company", marker + "street 1"}) {
    EXPECT_FALSE(holding(value).empty()) << value << " is nowhere: the scan proves nothing";
  }

  const auto accepted = send("POST", kErasures, administrator(), erasure_of(id));
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  const auto location = accepted.headers.at("location");
  const auto asked = accepted.json()["data"];
  EXPECT_EQ(location, std::string(kErasures) + "/" + asked.value("erasureId", ""));
  EXPECT_EQ(asked["customerId"], id);

  const auto receipt = followed(location);
  ASSERT_EQ(receipt["status"], "completed") << receipt;
  EXPECT_EQ(receipt["keyDestroyed"], true);
  EXPECT_GE(receipt["sealedEventsUnreadable"].get<int>(), 3) << receipt;
  EXPECT_EQ(receipt["alreadyErased"], false);
  EXPECT_EQ(receipt["reasonCode"], "gdpr-art17");
  EXPECT_FALSE(receipt.value("requestedBy", "").empty());
  EXPECT_NE(receipt["requestedBy"], id);
  EXPECT_FALSE(receipt.value("position", "").empty());

  for (const auto& value :
       {marker + "first", marker + "last", marker + "company", marker + "recipient",
        marker + "street 1", std::string("qzmark.mail@example.com"), std::string("4155550177")}) {
    EXPECT_EQ(holding(value), std::vector<std::string>{}) << value << " survived the erasure";
  }
  const auto anonymous = get("/api/v1/customers/" + id, administrator(), receipt["position"]);
  ASSERT_EQ(anonymous.status, 200) << anonymous.body;
  EXPECT_EQ(anonymous.json()["data"]["status"], "Erased");
  EXPECT_FALSE(anonymous.json()["data"].contains("email"));
  EXPECT_EQ(login({{"email", "qzmark.mail@example.com"}, {"password", kPassword}}).status, 401);
  // The export is the anonymous record only.
  const auto exported = get("/api/v1/customers/" + id + "/export", administrator());
  ASSERT_EQ(exported.status, 200) << exported.body;
  EXPECT_EQ(exported.json()["data"]["customer"]["status"], "Erased");
  EXPECT_FALSE(exported.json()["data"].contains("addresses"));
  EXPECT_EQ(exported.body.find(marker), std::string::npos) << exported.body;

  // Asking again completes with the first erasure's receipt.
  const auto again = send("POST", kErasures, administrator(), erasure_of(id));
  ASSERT_EQ(again.status, 202) << again.body;
  const auto second = followed(again.headers.at("location"));
  EXPECT_EQ(second["status"], "completed");
  EXPECT_EQ(second["alreadyErased"], true);
  EXPECT_EQ(second["position"], receipt["position"]);
}

TEST_F(Erasures, AnErasedCustomersOrdersKeepTheirFiguresAndLoseEveryPersonalValue) {
  const std::string marker = "Qzorder";
  const auto id = registered("ada@example.com");
  const auto token = last_token_;
  const auto admin = administrator();
  const json line{
      {"productId", "SKU-1"}, {"productName", "Kettle"}, {"quantity", 2}, {"unitPrice", 1250}};
  const json order{{"items", {line}},
                   {"currency", "EUR"},
                   {"deliveryAddress",
                    {{"recipientName", marker + "recipient"},
                     {"addressLine1", marker + "street 1"},
                     {"city", "Seoul"},
                     {"country", "KR"}}}};
  const auto cancelled =
      "/api/v1/orders/" + wrote("POST", "/api/v1/orders", token, order).value("orderId", "");
  wrote("POST", cancelled + "/cancel", token, {{"reason", marker + "cancel reason"}});
  const auto returned =
      "/api/v1/orders/" + wrote("POST", "/api/v1/orders", token, order).value("orderId", "");
  for (const char* status : {"Processing", "Shipped", "Delivered"}) {
    wrote("PATCH", returned + "/status", admin, {{"status", status}, {"notes", marker + "note"}});
  }
  wrote("POST", returned + "/return", token, {{"reason", marker + "return reason"}});
  wrote("PATCH", returned + "/return/reject", admin, {{"reason", marker + "reject reason"}});
  const std::vector<std::string> values{marker + "recipient",     marker + "street 1",
                                        marker + "cancel reason", marker + "note",
                                        marker + "return reason", marker + "reject reason"};
  const auto receipt = erased_leaving_none_of(id, values);
  ASSERT_EQ(receipt["status"], "completed") << receipt;

  // What stays: ids, amounts, currency, statuses and times; of the address, its country.
  const auto kept = get(returned, admin, receipt["position"]);
  ASSERT_EQ(kept.status, 200) << kept.body;
  const auto doc = kept.json()["data"];
  EXPECT_EQ(doc["totalAmount"], 2500);
  EXPECT_EQ(doc["currency"], "EUR");
  EXPECT_EQ(doc["status"], "Delivered");
  EXPECT_EQ(doc["returnStatus"], "Rejected");
  EXPECT_EQ(doc["deliveryAddress"], (json{{"country", "KR"}}));
  EXPECT_TRUE(doc["returnReason"].is_null());
  const auto history = get(returned + "/history", admin).json()["data"]["history"];
  EXPECT_EQ(history.size(), 6u);
  EXPECT_EQ(history.dump().find(marker), std::string::npos) << history;
  EXPECT_EQ(get(cancelled, admin).json()["data"]["status"], "Cancelled");
  const auto refused = send("POST", cancelled + "/return", admin, {{"reason", "late"}});
  EXPECT_EQ(refused.status, 409) << "an erased customer's orders take no more events";
}

TEST_F(Erasures, AnErasedCustomersComplaintsKeepTheirStepsAndLoseEveryText) {
  const std::string marker = "Qzcomplaint";
  const auto id = registered("ada@example.com");
  const auto token = last_token_;
  const auto admin = administrator();
  const auto complaint = "/api/v1/complaints/" + wrote("POST", "/api/v1/complaints", token,
                                                       {{"category", "Product Quality"},
                                                        {"subject", marker + "subject"},
                                                        {"description", marker + "description"}})
                                                     .value("complaintId", "");
  wrote("POST", complaint + "/comments", token, {{"comment", marker + "comment"}});
  wrote("POST", complaint + "/comments", admin,
        {{"comment", marker + "internal"}, {"isInternal", true}});
  wrote("PATCH", complaint + "/resolve", admin, {{"resolutionNotes", marker + "notes"}});
  wrote("POST", complaint + "/reopen", token, {{"reason", marker + "reason"}});
  const std::vector<std::string> values{marker + "subject", marker + "description",
                                        marker + "comment", marker + "internal",
                                        marker + "notes",   marker + "reason"};
  const auto receipt = erased_leaving_none_of(id, values);
  ASSERT_EQ(receipt["status"], "completed") << receipt;

  // What stays: ids, category, status, the steps and who took them, and times.
  const auto kept = get(complaint, admin, receipt["position"]);
  ASSERT_EQ(kept.status, 200) << kept.body;
  const auto doc = kept.json()["data"];
  EXPECT_EQ(doc["customerId"], id);
  EXPECT_EQ(doc["category"], "Product Quality");
  EXPECT_EQ(doc["status"], "Open");
  EXPECT_EQ(doc["reopenedCount"], 1);
  for (const char* text : {"subject", "description", "resolutionNotes"}) {
    EXPECT_TRUE(doc[text].is_null()) << text;
  }
  const auto comments = get(complaint + "/comments", admin).json()["data"]["comments"];
  EXPECT_EQ(comments.size(), 2u);
  const auto history = get(complaint + "/history", admin).json()["data"]["history"];
  EXPECT_EQ(history.size(), 5u);
  EXPECT_EQ((comments.dump() + history.dump()).find(marker), std::string::npos);
  const auto refused = send("PATCH", complaint + "/status", admin, {{"status", "In Progress"}});
  EXPECT_EQ(refused.status, 409) << "an erased customer's complaints take no more events";
  EXPECT_EQ(fields_of(refused), std::set<std::string>{"customerId"}) << refused.body;
}

TEST_F(Erasures, BadRequestsUnknownCustomersAndCustomersAreRefused) {
  const auto id = registered("ada@example.com");
  const auto token = last_token_;
  auto missing = erasure_of(id);
  missing.erase("legalBasis");
  missing["name"] = "Ada";
  const auto bad = send("POST", kErasures, administrator(), missing);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(fields_of(bad), (std::set<std::string>{"legalBasis", "name"}));
  auto too_long = erasure_of(id);
  too_long["reasonCode"] = std::string(51, 'x');
  EXPECT_EQ(fields_of(send("POST", kErasures, administrator(), too_long)),
            std::set<std::string>{"reasonCode"});

  const auto unknown = send("POST", kErasures, administrator(), erasure_of("CUST_0000ffff"));
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(send("POST", kErasures, token, erasure_of(id)).status, 403);
  EXPECT_EQ(send("POST", kErasures, "", erasure_of(id)).status, 401);
  EXPECT_EQ(get(std::string(kErasures) + "/ERA_nope", administrator()).status, 404);
  EXPECT_EQ(get(std::string(kErasures) + "/ERA_nope", token).status, 403);

  // None of that erased anybody.
  const auto ada = me(token, positions_.back());
  ASSERT_EQ(ada.status, 200) << ada.body;
  EXPECT_EQ(ada.json()["data"]["status"], "Active");
  EXPECT_EQ(login({{"email", "ada@example.com"}, {"password", kPassword}}).status, 200);
}

TEST_F(Erasures, ARetriedRequestWithItsKeyIsOneErasure) {
  const auto id = registered("ada@example.com");
  const std::vector<std::string> key{"Idempotency-Key: erase-ada-1"};
  const auto first = send("POST", kErasures, administrator(), erasure_of(id), key);
  ASSERT_EQ(first.status, 202) << first.body;
  const auto retry = send("POST", kErasures, administrator(), erasure_of(id), key);
  EXPECT_EQ(retry.status, 202);
  EXPECT_EQ(retry.headers.at("idempotent-replayed"), "true");
  EXPECT_EQ(retry.headers.at("location"), first.headers.at("location"));
  EXPECT_EQ(followed(first.headers.at("location"))["status"], "completed");
}

TEST_F(Erasures, TheEraseCommandHandsTheErasureToTheRunningService) {
  const auto id = registered("ada@example.com");
  const auto erased =
      run_process(with({kBinary, "erase", "--customer", id, "--reason", "gdpr-art17",
                        "--legal-basis", "GDPR Art. 17(1)(a)", "--requested-by", "ADM_00000042"},
                       store_options(dir_.path())));
  ASSERT_EQ(erased.exit_code, 0) << erased.err;
  EXPECT_NE(erased.err.find("the running service executed the command"), std::string::npos)
      << erased.err;
  const auto receipt = json::parse(erased.out);
  EXPECT_EQ(receipt["customerId"], id);
  EXPECT_EQ(receipt["keyDestroyed"], true);
  EXPECT_EQ(receipt["requestedBy"], "ADM_00000042");
  EXPECT_EQ(receipt["alreadyErased"], false);
  const auto anonymous = get("/api/v1/customers/" + id, administrator(), receipt["position"]);
  EXPECT_EQ(anonymous.json()["data"]["status"], "Erased");

  const auto unknown =
      run_process(with({kBinary, "erase", "--customer", "CUST_0000ffff", "--reason", "gdpr-art17",
                        "--legal-basis", "GDPR Art. 17(1)(a)", "--requested-by", "ADM_00000042"},
                       store_options(dir_.path())));
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_TRUE(unknown.out.empty()) << unknown.out;
}

}  // namespace
}  // namespace clientele::testing
