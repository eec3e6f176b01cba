// The export routes of `clientele serve` end to end, over HTTP (issue 7, item 4): a customer's
// export holds its profile, addresses, consents, statistics, the timeline of what it did and its
// orders with their histories, as one attachment; an administrator's export of the same customer is
// the same data with the staff notes; a customer exports only itself (403 on the administrators'
// route), strangers nothing (401); an unknown customer is 404; an erased customer's export is the
// anonymous record only, without any of the personal values it held.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/api/customer_flow.hpp"

namespace clientele::testing {
namespace {

using nlohmann::json;

constexpr const char* kMyExport = "/api/v1/customers/me/export";
constexpr const char* kMyBook = "/api/v1/customers/me/addresses";

std::string export_path(const std::string& customer) {
  return "/api/v1/customers/" + customer + "/export";
}

class CustomerExport : public CustomerFlow {
 protected:
  // Sends `method` `path` as `token` and expects `status`; keeps the answer's position.
  json wrote(const std::string& method, const std::string& path, const std::string& token,
             const json& body, long status) {
    auto answer = send(method, path, token, body);
    EXPECT_EQ(answer.status, status) << answer.body;
    position_ = answer.headers["x-clientele-position"];
    return answer.json()["data"];
  }

  // The export at `path` as `token` once the last write is folded; checks the attachment.
  json exported(const std::string& path, const std::string& token, const std::string& customer) {
    auto answer = get(path, token, position_);
    EXPECT_EQ(answer.status, 200) << answer.body;
    EXPECT_FALSE(answer.headers.contains("x-clientele-stale"));
    EXPECT_EQ(answer.headers["content-disposition"],
              "attachment; filename=\"" + customer + "-export.json\"");
    return answer.json()["data"];
  }

  std::string position_;  // of the last write
};

json address(const std::string& alias, const std::string& line1, const std::string& city) {
  return {{"alias", alias},          {"recipientName", "Ada Lovelace"},
          {"addressLine1", line1},   {"city", city},
          {"postalCode", "W1J 0AB"}, {"country", "GB"},
          {"phone", "+447700900123"}};
}

// The wire names of the entries of `timeline`, in its order.
std::vector<std::string> types_of(const json& timeline) {
  std::vector<std::string> out;
  for (const auto& entry : timeline) out.push_back(entry.value("type", ""));
  return out;
}

TEST_F(CustomerExport, ACustomersExportHoldsItsProfileAddressesConsentsStatisticsAndTimeline) {
  const auto ada = registered("ada@example.com");
  const auto token = last_token_;
  wrote("PUT", "/api/v1/customers/me", token, {{"marketingSms", true}}, 200);
  wrote("POST", kMyBook, token, address("home", "12 St James's Square", "London"), 201);
  wrote("POST", kMyBook, token, address("work", "1 Analytical Row", "Cambridge"), 201);

  const auto doc = exported(kMyExport, token, ada);
  const auto& header = doc["header"];
  EXPECT_EQ(header["format"], "clientele.customer-export");
  EXPECT_EQ(header["version"], 2);
  EXPECT_EQ(header["customerId"], ada);
  EXPECT_FALSE(header.value("exportedAt", "").empty());
  EXPECT_EQ(header["sections"], (json{"customer", "addresses", "consents", "linkedProviders",
                                      "statistics", "timeline", "orders"}));

  const auto& customer = doc["customer"];
  EXPECT_EQ(customer["customerId"], ada);
  EXPECT_EQ(customer["email"], "ada@example.com");
  EXPECT_EQ(customer["fullName"], "Ada Lovelace");
  EXPECT_EQ(customer["marketingSms"], true);
  EXPECT_FALSE(customer.contains("notes")) << "customers do not see staff notes";

  // The addresses are the address book's resources, as GET .../addresses answers them.
  ASSERT_EQ(doc["addresses"].size(), 2u) << doc["addresses"];
  EXPECT_EQ(doc["addresses"][0]["addressLine1"], "12 St James's Square");
  EXPECT_EQ(doc["addresses"][0]["isDefault"], true);
  EXPECT_EQ(doc["addresses"][1]["city"], "Cambridge");
  EXPECT_EQ(doc["addresses"], get(kMyBook, token, position_).json()["data"]["addresses"]);

  EXPECT_EQ(
      doc["consents"],
      (json{{"purposes", json::array()}, {"marketingEmails", false}, {"marketingSms", true}}));
  EXPECT_EQ(doc["linkedProviders"], json::array());
  EXPECT_EQ(doc["statistics"],
            get("/api/v1/customers/me/statistics", token, position_).json()["data"]);
  EXPECT_EQ(doc["statistics"]["totalOrders"], 0);

  // Every entry of the timeline, newest first: what the customer did, by whom, not the values.
  const auto& timeline = doc["timeline"];
  const auto types = types_of(timeline);
  ASSERT_GE(types.size(), 5u) << timeline;
  EXPECT_EQ(types[0], "address.added");
  EXPECT_EQ(std::count(types.begin(), types.end(), "address.added"), 2);
  EXPECT_EQ(std::count(types.begin(), types.end(), "address.default-set"), 1);
  EXPECT_EQ(std::count(types.begin(), types.end(), "customer.profile-updated"), 1);
  EXPECT_EQ(types.back(), "customer.registered");
  for (const auto& entry : timeline) {
    EXPECT_FALSE(entry.contains("offset")) << entry;
    EXPECT_FALSE(entry.value("eventId", "").empty()) << entry;
  }
  EXPECT_EQ(timeline[0]["actorId"], ada);
  EXPECT_EQ(timeline[0]["actorRole"], "Customer");
  EXPECT_EQ(timeline.dump().find("Analytical Row"), std::string::npos) << "values in the timeline";

  const auto unknown = get(std::string(kMyExport) + "?format=csv", token);
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_EQ(fields_of(unknown), (std::set<std::string>{"format"}));
}

TEST_F(CustomerExport, AnExportHoldsTheCustomersOrdersWithTheirHistories) {
  const auto ada = registered("ada@example.com");
  const auto token = last_token_;
  const auto work = wrote("POST", kMyBook, token, address("work", "1 Analytical Row", "Cambridge"),
                          201)["addressId"];
  const json line{{"productId", "SKU-7"},
                  {"productName", "Difference Engine"},
                  {"quantity", 2},
                  {"unitPrice", 1250}};
  const auto first =
      wrote("POST", "/api/v1/orders", token,
            {{"items", {line}}, {"currency", "GBP"}, {"deliveryAddressId", work}}, 201)["orderId"];
  const auto second =
      wrote("POST", "/api/v1/orders", token,
            {{"items", {line}}, {"currency", "GBP"}, {"deliveryAddressId", work}}, 201)["orderId"];
  wrote("POST", "/api/v1/orders/" + second.get<std::string>() + "/cancel", token,
        {{"reason", "ordered twice"}}, 200);

  const auto doc = exported(kMyExport, token, ada);
  const auto& orders = doc["orders"];
  ASSERT_EQ(orders.size(), 2u) << orders;
  EXPECT_EQ(orders[0]["orderId"], first) << "oldest first";
  EXPECT_EQ(orders[0]["totalAmount"], 2500);
  EXPECT_EQ(orders[0]["deliveryAddress"]["addressLine1"], "1 Analytical Row");
  EXPECT_EQ(orders[0]["history"].size(), 1u);
  EXPECT_EQ(orders[1]["status"], "Cancelled");
  EXPECT_EQ(orders[1]["cancellationReason"], "ordered twice");
  ASSERT_EQ(orders[1]["history"].size(), 2u);
  EXPECT_EQ(orders[1]["history"][1]["to"], "Cancelled");
  EXPECT_EQ(orders[1]["history"][1]["actor"]["id"], ada);
  EXPECT_EQ(doc["statistics"]["totalOrders"], 2);
  EXPECT_EQ(doc["statistics"]["totalOrderValue"], 2500) << "the cancelled order is not counted";
}

TEST_F(CustomerExport, AnAdministratorsExportIsTheSameDataWithStaffNotes) {
  const auto ada = registered("ada@example.com");
  const auto token = last_token_;
  wrote("POST", kMyBook, token, address("home", "12 St James's Square", "London"), 201);
  wrote("POST", "/api/v1/customers/" + ada + "/notes", administrator(),
        {{"note", "asked for her data"}}, 201);

  auto staff = exported(export_path(ada), administrator(), ada);
  auto own = exported(kMyExport, token, ada);
  ASSERT_EQ(staff["customer"]["notes"].size(), 1u) << staff["customer"];
  EXPECT_EQ(staff["customer"]["notes"][0]["note"], "asked for her data");
  EXPECT_FALSE(own["customer"].contains("notes"));
  EXPECT_EQ(types_of(own["timeline"])[0], "customer.note-added");
  EXPECT_NE(own["timeline"][0]["actorId"], ada);
  EXPECT_EQ(own["timeline"][0]["actorRole"], "Administrator");

  staff["customer"].erase("notes");
  for (auto* doc : {&staff, &own}) (*doc)["header"].erase("exportedAt");
  EXPECT_EQ(staff, own);
}

TEST_F(CustomerExport, ACustomerExportsOnlyItselfAndStrangersNothing) {
  const auto ada = registered("ada@example.com");
  const auto ada_token = last_token_;
  const auto grace = registered("grace@example.com", "Grace", "Hopper");
  wait_for_registrations();

  EXPECT_EQ(get(export_path(grace), ada_token).status, 403);
  EXPECT_EQ(get(export_path(ada), ada_token).status, 403) << "customers have /me/export only";
  EXPECT_EQ(get(kMyExport, administrator()).status, 403);
  EXPECT_EQ(get(kMyExport, "").status, 401);
  EXPECT_EQ(get(export_path(grace), "").status, 401);

  const auto own = get(kMyExport, ada_token, positions_.back());
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(own.json()["data"]["header"]["customerId"], ada);
  EXPECT_EQ(own.body.find(grace), std::string::npos);
  EXPECT_EQ(own.body.find("grace@example.com"), std::string::npos);
}

TEST_F(CustomerExport, AnUnknownCustomerIsNotFound) {
  const auto unknown = get(export_path("CUST_00000000"), administrator());
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_FALSE(unknown.headers.contains("content-disposition"));
}

TEST_F(CustomerExport, AnErasedCustomersExportIsTheAnonymousRecordOnly) {
  const auto ada = registered("augusta@example.com", "Augusta", "Byronking");
  const auto token = last_token_;
  wrote("PUT", "/api/v1/customers/me", token,
        {{"phone", "+14155550199"}, {"companyName", "Difference Engines"}}, 200);
  wrote("POST", kMyBook, token, address("home", "7 Marylebone Crescent", "Ockhamton"), 201);
  wrote("POST", "/api/v1/customers/" + ada + "/notes", administrator(),
        {{"note", "prefers letters by post"}}, 201);
  const auto before = exported(export_path(ada), administrator(), ada);
  const std::string username = before["customer"].value("username", "");
  ASSERT_FALSE(username.empty()) << before["customer"];
  for (const char* held : {"Byronking", "Difference Engines", "Ockhamton", "prefers letters"}) {
    EXPECT_NE(before.dump().find(held), std::string::npos) << held << " not in the export";
  }

  ASSERT_NO_FATAL_FAILURE(erase_while_stopped(ada));
  ASSERT_NO_FATAL_FAILURE(start());

  // The administrator's token was issued before the restart and is still valid.
  HttpAnswer answer;
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    answer = get(export_path(ada), administrator());
    ASSERT_EQ(answer.status, 200) << answer.body;
    if (answer.json()["data"]["customer"].value("status", "") == "Erased") break;
  }
  const auto doc = answer.json()["data"];
  ASSERT_EQ(doc["customer"]["status"], "Erased") << doc;
  EXPECT_EQ(doc["customer"]["customerId"], ada);
  EXPECT_EQ(doc["header"]["customerId"], ada);
  EXPECT_EQ(doc["header"]["sections"], json::array({"customer"}));
  std::set<std::string> members;
  for (const auto& [name, value] : doc.items()) members.insert(name);
  EXPECT_EQ(members, (std::set<std::string>{"header", "customer"}));
  EXPECT_EQ(answer.headers["content-disposition"],
            "attachment; filename=\"" + ada + "-export.json\"");
  for (const auto& personal :
       {std::string("augusta@example.com"), std::string("Augusta"), std::string("Byronking"),
        username, std::string("14155550199"), std::string("Difference Engines"),
        std::string("Marylebone"), std::string("Ockhamton"), std::string("Ada Lovelace"),
        std::string("447700900123"), std::string("prefers letters")}) {
    EXPECT_EQ(answer.body.find(personal), std::string::npos) << personal << " in the export";
  }
}

}  // namespace
}  // namespace clientele::testing
