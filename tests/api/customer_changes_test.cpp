// The routes that change customers, end to end over HTTP against `clientele serve` (issue 7): a
// customer changes its own profile (and nothing it must not: no mass assignment); an
// administrator changes type, tags, preferences, status, adds notes, verifies, deactivates and
// updates in bulk. Every change answers the customer as it is afterwards; stale If-Match is 412
// and changes nothing; customers are refused every administrator route.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <tuple>

#include "tests/api/customer_flow.hpp"

namespace clientele::testing {
namespace {

using nlohmann::json;

class CustomerChanges : public CustomerFlow {
 protected:
  static std::string if_match(const HttpAnswer& answer) {
    return "If-Match: " + answer.headers.at("etag");
  }
};

TEST_F(CustomerChanges, ACustomerChangesItsProfileAndKeepsWhatItLeavesOut) {
  registered("ada@example.com");
  const auto token = last_token_;
  const auto before = me(token, positions_.back());
  ASSERT_EQ(before.status, 200) << before.body;

  const auto changed = send("PUT", "/api/v1/customers/me", token,
                            {{"lastName", "King"},
                             {"phone", "+14155550100"},
                             {"companyName", "Analytical Engines"},
                             {"preferences", {{"newsletter", true}}},
                             {"marketingSms", true}},
                            {if_match(before)});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_FALSE(changed.headers.contains("x-clientele-stale"));
  const auto data = changed.json()["data"];
  EXPECT_EQ(data["firstName"], "Ada");
  EXPECT_EQ(data["lastName"], "King");
  EXPECT_EQ(data["fullName"], "Ada King");
  EXPECT_EQ(data["phone"], "+14155550100");
  EXPECT_EQ(data["companyName"], "Analytical Engines");
  EXPECT_EQ(data["marketingSms"], true);
  EXPECT_EQ(data["preferences"]["newsletter"], true);
  EXPECT_EQ(data["preferences"]["language"], "en") << "a member left out was reset";
  EXPECT_FALSE(data.contains("notes")) << "customers do not see staff notes";
  EXPECT_NE(changed.headers.at("etag"), before.headers.at("etag"));

  // The answer's ETag and position are the customer's as a later GET sees it.
  const auto after = me(token, changed.headers.at("x-clientele-position"));
  EXPECT_EQ(after.headers.at("etag"), changed.headers.at("etag"));
  EXPECT_EQ(after.json()["data"], data);

  // The old ETag is stale now: 412, and nothing changes.
  const auto stale =
      send("PUT", "/api/v1/customers/me", token, {{"lastName", "Byron"}}, {if_match(before)});
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(me(token).json()["data"]["lastName"], "King");
}

TEST_F(CustomerChanges, ACustomerCannotAssignWhatIsNotItsProfile) {
  registered("ada@example.com");
  const auto token = last_token_;
  const auto before = me(token, positions_.back());
  const std::vector<std::pair<std::string, json>> forbidden = {
      {"role", "Administrator"},       {"status", "Active"},
      {"customerType", "VIP"},         {"totalOrders", 99},
      {"customerId", "CUST_00000001"}, {"emailVerified", true},
      {"tags", json::array({"vip"})},
  };
  for (const auto& [field, value] : forbidden) {
    const auto refused =
        send("PUT", "/api/v1/customers/me", token, {{"lastName", "King"}, {field, value}});
    EXPECT_EQ(refused.status, 400) << field << ": " << refused.body;
    EXPECT_EQ(fields_of(refused), std::set<std::string>{field}) << refused.body;
  }
  const auto after = me(token);
  EXPECT_EQ(after.headers.at("etag"), before.headers.at("etag")) << "a refused change was applied";
  EXPECT_EQ(after.json()["data"], before.json()["data"]);
}

TEST_F(CustomerChanges, BadValuesAreRefusedByField) {
  registered("ada@example.com");
  const auto bad = send("PUT", "/api/v1/customers/me", last_token_,
                        {{"firstName", "A"},
                         {"phone", "12"},
                         {"gender", "robot"},
                         {"dateOfBirth", "1815-13-10"},
                         {"preferences", {{"language", "english!"}, {"colour", "red"}}}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  // The shape is checked first, field by field; the rules only once the shape holds.
  EXPECT_EQ(fields_of(bad), (std::set<std::string>{"gender", "dateOfBirth", "preferences.colour"}));
  for (const auto& [body, field] : std::vector<std::pair<json, std::string>>{
           {{{"firstName", "A"}}, "firstName"},
           {{{"phone", "12"}}, "phone"},
           {{{"preferences", {{"language", "english!"}}}}, "preferences.language"}}) {
    const auto refused = send("PUT", "/api/v1/customers/me", last_token_, body);
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_EQ(fields_of(refused), std::set<std::string>{field}) << refused.body;
  }
  const auto not_json = http({.method = "PUT",
                              .url = service_->url("/api/v1/customers/me"),
                              .body = "lastName=King",
                              .headers = {"Authorization: Bearer " + last_token_,
                                          "Content-Type: application/x-www-form-urlencoded"}});
  EXPECT_EQ(not_json.status, 415);
}

TEST_F(CustomerChanges, AnAdministratorChangesTypeTagsPreferencesAndAddsNotes) {
  const auto id = registered("ada@example.com");
  const auto customer = last_token_;
  const auto path = "/api/v1/customers/" + id;
  const auto changed = send("PUT", path, administrator(),
                            {{"customerType", "VIP"},
                             {"tags", {"Wholesale", "eu", "wholesale"}},
                             {"notes", "prefers calls in the morning"},
                             {"preferences", {{"currency", "EUR"}}}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  auto data = changed.json()["data"];
  EXPECT_EQ(data["customerType"], "VIP");
  EXPECT_EQ(data["tags"], json::array({"eu", "wholesale"}));
  EXPECT_EQ(data["preferences"]["currency"], "EUR");
  EXPECT_EQ(data["preferences"]["notifications"], true);
  ASSERT_EQ(data["notes"].size(), 1u) << data;
  EXPECT_EQ(data["notes"][0]["note"], "prefers calls in the morning");
  EXPECT_FALSE(data["notes"][0].value("addedBy", "").empty());
  EXPECT_NE(data["notes"][0]["addedBy"], id);

  const auto note = send("POST", path + "/notes", administrator(), {{"note", "sent a voucher"}},
                         {"Idempotency-Key: note-1"});
  ASSERT_EQ(note.status, 201) << note.body;
  EXPECT_EQ(note.json()["data"]["notes"].size(), 2u);
  const auto again = send("POST", path + "/notes", administrator(), {{"note", "sent a voucher"}},
                          {"Idempotency-Key: note-1"});
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.headers.at("idempotent-replayed"), "true");
  const auto seen = get(path, administrator(), again.headers.at("x-clientele-position"));
  EXPECT_EQ(seen.json()["data"]["notes"].size(), 2u) << "the retry added the note again";

  const auto own = me(customer, note.headers.at("x-clientele-position"));
  EXPECT_FALSE(own.json()["data"].contains("notes")) << "staff notes reached the customer";
  EXPECT_EQ(own.json()["data"]["customerType"], "VIP");

  const auto type = send("PATCH", path + "/type", administrator(), {{"customerType", "Premium"}});
  ASSERT_EQ(type.status, 200) << type.body;
  EXPECT_EQ(type.json()["data"]["customerType"], "Premium");
  EXPECT_EQ(fields_of(send("PATCH", path + "/type", administrator(), {{"customerType", "Gold"}})),
            std::set<std::string>{"customerType"});
  EXPECT_EQ(fields_of(send("PUT", path, administrator(), {{"tags", {"no spaces"}}})),
            std::set<std::string>{"tags"});
}

TEST_F(CustomerChanges, StatusDecidesWhoSignsInAndDeleteIsSoft) {
  const auto id = registered("ada@example.com");
  const auto path = "/api/v1/customers/" + id;
  const json credentials = {{"email", "ada@example.com"}, {"password", kPassword}};

  const auto suspended = send("PATCH", path + "/status", administrator(),
                              {{"status", "Suspended"}, {"reason", "chargebacks"}});
  ASSERT_EQ(suspended.status, 200) << suspended.body;
  EXPECT_EQ(suspended.json()["data"]["status"], "Suspended");
  EXPECT_EQ(login(credentials).status, 403);

  const auto back = send("PATCH", path + "/status", administrator(), {{"status", "Active"}},
                         {if_match(suspended)});
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(login(credentials).status, 200);

  EXPECT_EQ(fields_of(send("PATCH", path + "/status", administrator(), {{"status", "Erased"}})),
            std::set<std::string>{"status"});
  EXPECT_EQ(fields_of(send("PATCH", path + "/status", administrator(), json::object())),
            std::set<std::string>{"status"});

  const auto stale = send("DELETE", path, administrator(), nullptr, {if_match(suspended)});
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(login(credentials).status, 200) << "a stale delete was applied";

  const auto deleted = send("DELETE", path, administrator());
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.json()["data"]["status"], "Inactive");
  EXPECT_EQ(login(credentials).status, 403);
  const auto still_there = get(path, administrator(), deleted.headers.at("x-clientele-position"));
  EXPECT_EQ(still_there.status, 200);
  EXPECT_EQ(still_there.json()["data"]["email"], "ada@example.com");
}

TEST_F(CustomerChanges, AnAdministratorVerifiesEmailAndPhone) {
  const auto id = registered("ada@example.com");
  const auto path = "/api/v1/customers/" + id;
  const auto email = send("PATCH", path + "/verify-email", administrator());
  ASSERT_EQ(email.status, 200) << email.body;
  EXPECT_EQ(email.json()["data"]["emailVerified"], true);
  EXPECT_EQ(email.json()["data"]["isVerified"], true);

  const auto no_phone = send("PATCH", path + "/verify-phone", administrator());
  EXPECT_EQ(no_phone.status, 400) << no_phone.body;
  EXPECT_EQ(fields_of(no_phone), std::set<std::string>{"phone"});

  ASSERT_EQ(send("PUT", "/api/v1/customers/me", last_token_, {{"phone", "+14155550100"}}).status,
            200);
  const auto phone = send("PATCH", path + "/verify-phone", administrator());
  ASSERT_EQ(phone.status, 200) << phone.body;
  EXPECT_EQ(phone.json()["data"]["phoneVerified"], true);
  EXPECT_EQ(send("PATCH", path + "/verify-email", administrator(), {{"really", true}}).status, 400);
}

TEST_F(CustomerChanges, ABulkUpdateAnswersForEachCustomer) {
  const auto ada = registered("ada@example.com");
  const auto grace = registered("grace@example.com", "Grace", "Hopper");
  const json request = {
      {"customerIds", {ada, "CUST_0000ffff", grace}},
      {"updates", {{"tags", {"bulk-updated"}}, {"marketingEmails", false}, {"notes", "campaign"}}}};
  const auto bulk = send("POST", "/api/v1/customers/bulk-update", administrator(), request);
  ASSERT_EQ(bulk.status, 200) << bulk.body;
  const auto data = bulk.json()["data"];
  EXPECT_EQ(data["updated"], 2);
  EXPECT_EQ(data["failed"], 1);
  ASSERT_EQ(data["results"].size(), 3u);
  EXPECT_EQ(data["results"][0]["customerId"], ada);
  EXPECT_EQ(data["results"][0]["success"], true);
  EXPECT_EQ(data["results"][1]["success"], false);
  EXPECT_EQ(data["results"][1]["status"], 404);
  EXPECT_EQ(data["results"][2]["success"], true);
  for (const auto& result : {data["results"][0], data["results"][2]}) {
    // Each customer's changes are one append: its position shows all of them.
    const auto seen = get("/api/v1/customers/" + result["customerId"].get<std::string>(),
                          administrator(), result["position"])
                          .json()["data"];
    EXPECT_EQ(seen["tags"], json::array({"bulk-updated"})) << seen;
    EXPECT_EQ(seen["notes"].size(), 1u) << seen;
    EXPECT_EQ(seen["marketingEmails"], false) << seen;
  }
  EXPECT_EQ(get("/api/v1/customers/" + grace, administrator()).headers.at("etag"),
            "\"" + std::to_string(data["results"][2]["version"].get<int>()) + "\"");

  std::vector<std::string> too_many;
  for (int i = 0; i <= 100; ++i) too_many.push_back("CUST_" + std::to_string(i));
  for (const auto& ids : {json::array({ada, ada}), json::array(), json(too_many)}) {
    const auto refused = send("POST", "/api/v1/customers/bulk-update", administrator(),
                              {{"customerIds", ids}, {"updates", {{"customerType", "VIP"}}}});
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_EQ(fields_of(refused), std::set<std::string>{"customerIds"}) << refused.body;
  }
  const auto unknown_update =
      send("POST", "/api/v1/customers/bulk-update", administrator(),
           {{"customerIds", {ada}}, {"updates", {{"email", "x@example.com"}}}});
  EXPECT_EQ(fields_of(unknown_update), std::set<std::string>{"updates.email"});
}

TEST_F(CustomerChanges, CustomersAreRefusedTheAdministratorsChangesAndStrangersAll) {
  const auto ada = registered("ada@example.com");
  registered("grace@example.com", "Grace", "Hopper");
  const auto token = last_token_;  // Grace's
  const auto path = "/api/v1/customers/" + ada;
  const std::vector<std::tuple<std::string, std::string, json>> routes = {
      {"PUT", path, {{"customerType", "VIP"}}},
      {"PATCH", path + "/status", {{"status", "Suspended"}}},
      {"PATCH", path + "/type", {{"customerType", "VIP"}}},
      {"POST", path + "/notes", {{"note", "x"}}},
      {"PATCH", path + "/verify-email", nullptr},
      {"PATCH", path + "/verify-phone", nullptr},
      {"DELETE", path, nullptr},
      {"POST",
       "/api/v1/customers/bulk-update",
       {{"customerIds", {ada}}, {"updates", {{"customerType", "VIP"}}}}},
  };
  for (const auto& [method, route, body] : routes) {
    EXPECT_EQ(send(method, route, token, body).status, 403) << method << " " << route;
    EXPECT_EQ(send(method, route, "", body).status, 401) << method << " " << route;
  }
  EXPECT_EQ(send("PUT", "/api/v1/customers/me", "", {{"lastName", "King"}}).status, 401);
  // An administrator is not a customer: it has no "me" to change.
  EXPECT_EQ(send("PUT", "/api/v1/customers/me", administrator(), {{"lastName", "King"}}).status,
            403);

  ASSERT_NO_FATAL_FAILURE(wait_for_registrations());
  const auto ada_now = get(path, administrator());
  ASSERT_EQ(ada_now.status, 200) << ada_now.body;
  EXPECT_EQ(ada_now.headers.at("etag"), "\"1\"") << "a refused change was applied";
  EXPECT_EQ(ada_now.json()["data"]["customerType"], "Regular");
}

TEST_F(CustomerChanges, TheListStaysExactAtDepthWhileCustomersAreWrittenMeanwhile) {
  std::vector<std::string> before;
  for (int i = 0; i < 60; ++i) before.push_back(registered("deep" + std::to_string(i) + "@x.org"));
  ASSERT_NO_FATAL_FAILURE(wait_for_registrations());
  const auto admin = administrator();

  // Meanwhile: new customers, and changes to the rows being listed (their type and tags).
  std::atomic<bool> walking{true};
  std::atomic<int> writes{0};
  std::thread writer([&] {
    for (int i = 0; walking; ++i) {
      const auto registration = register_customer("new" + std::to_string(i) + "@x.org");
      const auto change = send(
          "PUT", "/api/v1/customers/" + before[i % before.size()], admin,
          {{"customerType", i % 2 ? "VIP" : "Premium"}, {"tags", {"wave" + std::to_string(i)}}});
      writes += registration.status == 201 && change.status == 200 ? 2 : 0;
    }
  });
  std::vector<std::string> walked;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    const auto answer = get("/api/v1/customers?limit=7&sortBy=createdAt&sortOrder=asc" +
                                (cursor.empty() ? "" : "&cursor=" + cursor),
                            admin);
    ASSERT_EQ(answer.status, 200) << answer.body;
    const auto data = answer.json()["data"];
    for (const auto& customer : data["customers"]) walked.push_back(customer["customerId"]);
    if (data["pagination"]["nextCursor"].is_null() || walked.size() >= before.size()) break;
    cursor = data["pagination"]["nextCursor"].get<std::string>();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let writes land between pages
  }
  walking = false;
  writer.join();
  EXPECT_GT(writes.load(), 0) << "nothing was written during the walk";

  // Oldest first: the 60 come first, each once (customers registered in one millisecond are in
  // id order, not necessarily in the order they were registered).
  ASSERT_GE(walked.size(), before.size());
  EXPECT_EQ(std::set<std::string>(walked.begin(), walked.begin() + before.size()),
            std::set<std::string>(before.begin(), before.end()));
  EXPECT_EQ(std::set<std::string>(walked.begin(), walked.end()).size(), walked.size())
      << "a customer was listed twice";
}

TEST_F(CustomerChanges, UnknownCustomersAreNotFoundAndErasedOnesConflict) {
  EXPECT_EQ(send("PATCH", "/api/v1/customers/CUST_0000ffff/type", administrator(),
                 {{"customerType", "VIP"}})
                .status,
            404);
  EXPECT_EQ(send("DELETE", "/api/v1/customers/CUST_0000ffff", administrator()).status, 404);

  const auto ada = registered("ada@example.com");
  ASSERT_NO_FATAL_FAILURE(erase_while_stopped(ada));
  ASSERT_NO_FATAL_FAILURE(start());  // the administrator's token holds across the restart
  const auto erased = send("PATCH", "/api/v1/customers/" + ada + "/type", administrator(),
                           {{"customerType", "VIP"}});
  EXPECT_EQ(erased.status, 409) << erased.body;
  EXPECT_EQ(send("DELETE", "/api/v1/customers/" + ada, administrator()).status, 409);
}

}  // namespace
}  // namespace clientele::testing
