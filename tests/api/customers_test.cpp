// The read-only customer routes of `clientele serve` end to end, over HTTP (issue 7): an
// administrator reads customers by id, email and username, lists them page by page with filters
// and sorting, searches them and reads the analytics; a customer reads its own statistics.
// Customers are refused the administrator routes (403), callers without a token every route
// (401); bad queries are 400 naming the parameter; an erased customer is the anonymous record by
// id and is found no more by email, username or search.

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "tests/api/customer_flow.hpp"

namespace clientele::testing {
namespace {

using nlohmann::json;

// Every administrator route, with the path it is called on.
const std::vector<std::string> kAdministratorPaths = {
    "/api/v1/customers",
    "/api/v1/customers/search?q=ada",
    "/api/v1/customers/statistics/overview",
    "/api/v1/customers/analytics",
    "/api/v1/customers/email/ada@example.com",
    "/api/v1/customers/username/adalovelace1",
    "/api/v1/customers/CUST_00000001",
};

using CustomerRoutes = CustomerFlow;

TEST_F(CustomerRoutes, AnAdministratorReadsACustomerByIdEmailAndUsername) {
  const auto id = registered("ada@example.com");
  const auto by_id = get("/api/v1/customers/" + id, administrator(), positions_.back());
  ASSERT_EQ(by_id.status, 200) << by_id.body;
  EXPECT_FALSE(by_id.headers.contains("x-clientele-stale"));
  EXPECT_EQ(by_id.headers.at("etag"), "\"1\"");
  const auto customer = by_id.json()["data"];
  EXPECT_EQ(customer["customerId"], id);
  EXPECT_EQ(customer["email"], "ada@example.com");
  EXPECT_EQ(customer["fullName"], "Ada Lovelace");
  EXPECT_EQ(customer["status"], "Active");

  for (const char* path :
       {"/api/v1/customers/email/ada@example.com", "/api/v1/customers/email/ADA%40example.com",
        "/api/v1/customers/username/adalovelace1"}) {
    const auto found = get(path, administrator());
    ASSERT_EQ(found.status, 200) << path << ": " << found.body;
    EXPECT_EQ(found.json()["data"]["customerId"], id) << path;
    EXPECT_EQ(found.headers.at("etag"), "\"1\"") << path;
  }
  for (const char* path :
       {"/api/v1/customers/CUST_0000ffff", "/api/v1/customers/email/nobody@example.com",
        "/api/v1/customers/username/nobody"}) {
    const auto missing = get(path, administrator());
    EXPECT_EQ(missing.status, 404) << path;
    EXPECT_EQ(missing.body.find("nobody"), std::string::npos) << "the lookup value was echoed";
  }
  EXPECT_EQ(get("/api/v1/customers/" + id + "?verbose=1", administrator()).status, 400);
}

TEST_F(CustomerRoutes, CustomersAreRefusedEveryAdministratorRouteAndStrangersEveryRoute) {
  registered("ada@example.com");
  for (const auto& path : kAdministratorPaths) {
    EXPECT_EQ(get(path, last_token_).status, 403) << path;
    EXPECT_EQ(get(path, "").status, 401) << path;
  }
  for (const char* path : {"/api/v1/customers/me", "/api/v1/customers/me/statistics"}) {
    EXPECT_EQ(get(path, "").status, 401) << path;
    EXPECT_EQ(get(path, administrator()).status, 403)
        << path << ": an administrator is no customer, and /me is no customer id";
  }
}

TEST_F(CustomerRoutes, TheListWalksPagesByNumberAndByCursorWithoutDuplicatesOrGaps) {
  std::set<std::string> everyone;
  for (int i = 0; i < 25; ++i) everyone.insert(registered("page" + std::to_string(i) + "@x.org"));
  ASSERT_NO_FATAL_FAILURE(wait_for_registrations());

  std::vector<std::string> by_number;
  for (int page = 1; page <= 3; ++page) {
    const auto answer =
        get("/api/v1/customers?limit=10&page=" + std::to_string(page), administrator());
    ASSERT_EQ(answer.status, 200) << answer.body;
    const auto data = answer.json()["data"];
    EXPECT_EQ(data["customers"].size(), page < 3 ? 10u : 5u);
    EXPECT_EQ(data["pagination"]["currentPage"], page);
    EXPECT_EQ(data["pagination"]["itemsPerPage"], 10);
    EXPECT_EQ(data["pagination"]["hasNextPage"], page < 3);
    EXPECT_EQ(data["pagination"]["hasPreviousPage"], page > 1);
    for (const auto& customer : data["customers"]) by_number.push_back(customer["customerId"]);
  }
  EXPECT_EQ(by_number.size(), 25u);
  EXPECT_EQ(std::set<std::string>(by_number.begin(), by_number.end()), everyone);

  std::vector<std::string> by_cursor;
  std::string cursor;
  for (int page = 0; page < 5; ++page) {
    const auto answer = get("/api/v1/customers?limit=10&sortOrder=desc" +
                                (cursor.empty() ? "" : "&cursor=" + percent_encoded(cursor)),
                            administrator());
    ASSERT_EQ(answer.status, 200) << answer.body;
    const auto data = answer.json()["data"];
    EXPECT_EQ(data["pagination"].contains("currentPage"), cursor.empty())
        << "a cursor does not say which page it is";
    for (const auto& customer : data["customers"]) by_cursor.push_back(customer["customerId"]);
    if (data["pagination"]["nextCursor"].is_null()) break;
    cursor = data["pagination"]["nextCursor"].get<std::string>();
  }
  EXPECT_EQ(by_cursor, by_number) << "both walks read the same order (createdAt, newest first)";
}

TEST_F(CustomerRoutes, BadListAndSearchQueriesAreRefusedNamingTheParameter) {
  registered("ada@example.com");
  const std::pair<const char*, const char*> refused[] = {
      {"/api/v1/customers?limit=101", "limit"},
      {"/api/v1/customers?limit=0", "limit"},
      {"/api/v1/customers?verbose=1", "verbose"},
      {"/api/v1/customers?sortBy=name", "sortBy"},
      {"/api/v1/customers?sortOrder=up", "sortOrder"},
      {"/api/v1/customers?status=Sleeping", "status"},
      {"/api/v1/customers?country=USA", "country"},
      {"/api/v1/customers?createdAfter=yesterday", "createdAfter"},
      {"/api/v1/customers?searchTerm=ab", "searchTerm"},
      {"/api/v1/customers?cursor=bm90IGEgY3Vyc29y", "cursor"},
      {"/api/v1/customers?page=2&cursor=bm90IGEgY3Vyc29y", "page"},
      {"/api/v1/customers/search?q=ada&limit=51", "limit"},
      {"/api/v1/customers/search?q=ab", "q"},
      {"/api/v1/customers/search", "q"},
      {"/api/v1/customers/search?q=ada&page=2", "page"},
      {"/api/v1/customers/analytics?period=week", "period"},
  };
  for (const auto& [path, field] : refused) {
    const auto answer = get(path, administrator());
    EXPECT_EQ(answer.status, 400) << path << ": " << answer.body;
    EXPECT_TRUE(fields_of(answer).contains(field)) << path << ": " << answer.body;
  }
}

TEST_F(CustomerRoutes, TheListFiltersAndSearchesAndTheSearchFindsFragments) {
  const auto ada = registered("ada@example.com");
  const auto bob = registered("bob@example.com", "Bob", "Stone");
  ASSERT_NO_FATAL_FAILURE(wait_for_registrations());
  const auto ids = [&](const std::string& path) {
    const auto answer = get(path, administrator());
    EXPECT_EQ(answer.status, 200) << path << ": " << answer.body;
    const auto body = answer.json();
    std::vector<std::string> out;
    for (const auto& customer : body["data"]["customers"]) {
      out.push_back(customer["customerId"]);
    }
    return out;
  };
  using Ids = std::vector<std::string>;
  EXPECT_EQ(ids("/api/v1/customers?sortOrder=asc"), (Ids{ada, bob}));
  EXPECT_EQ(ids("/api/v1/customers?sortBy=createdAt&sortOrder=desc"), (Ids{bob, ada}));
  EXPECT_EQ(ids("/api/v1/customers?status=Active&type=Regular&sortOrder=asc"), (Ids{ada, bob}));
  EXPECT_EQ(ids("/api/v1/customers?status=Suspended"), Ids{});
  EXPECT_EQ(ids("/api/v1/customers?createdBefore=2000-01-01"), Ids{});
  EXPECT_EQ(ids("/api/v1/customers?sortBy=totalOrders&createdAfter=2000-01-01T00:00:00Z").size(),
            2u);
  EXPECT_EQ(ids("/api/v1/customers?searchTerm=LOVE"), Ids{ada});
  EXPECT_EQ(ids("/api/v1/customers/search?q=stone"), Ids{bob});
  EXPECT_EQ(ids("/api/v1/customers/search?q=%40example.com&limit=1").size(), 1u);
  EXPECT_EQ(ids("/api/v1/customers/search?q=zzz"), Ids{});
}

TEST_F(CustomerRoutes, ACustomerReadsItsStatisticsAndAnAdministratorTheAnalytics) {
  registered("ada@example.com");
  registered("bob@example.com", "Bob", "Stone");
  const auto signed_in = login({{"email", "bob@example.com"}, {"password", kPassword}});
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  const auto mine = get("/api/v1/customers/me/statistics", token_of(signed_in),
                        signed_in.headers.at("x-clientele-position"));
  ASSERT_EQ(mine.status, 200) << mine.body;
  const auto statistics = mine.json()["data"];
  EXPECT_EQ(statistics["loginCount"], 1);
  EXPECT_EQ(statistics["totalOrders"], 0);
  EXPECT_EQ(statistics["openComplaints"], 0);
  EXPECT_TRUE(statistics["lastLoginDate"].is_string());
  EXPECT_TRUE(statistics["lastOrderDate"].is_null());

  ASSERT_NO_FATAL_FAILURE(wait_for_registrations());
  const auto overview = get("/api/v1/customers/statistics/overview", administrator());
  ASSERT_EQ(overview.status, 200) << overview.body;
  EXPECT_EQ(overview.json()["data"]["totalCustomers"], 2);
  EXPECT_EQ(overview.json()["data"]["activeCustomers"], 2);
  EXPECT_EQ(overview.json()["data"]["newCustomersToday"], 2);
  EXPECT_FALSE(overview.json()["data"].contains("customersByStatus"));
  const auto analytics = get("/api/v1/customers/analytics", administrator());
  ASSERT_EQ(analytics.status, 200) << analytics.body;
  EXPECT_EQ(analytics.json()["data"]["customersByStatus"], (json{{"Active", 2}}));
  EXPECT_EQ(analytics.json()["data"]["customersByType"], (json{{"Regular", 2}}));
}

TEST_F(CustomerRoutes, AnErasedCustomerIsAnonymousByIdAndFoundNoMoreByEmailUsernameOrSearch) {
  const auto ada = registered("ada@example.com");
  ASSERT_NO_FATAL_FAILURE(erase_while_stopped(ada));
  ASSERT_NO_FATAL_FAILURE(start());

  json customer = json::object();
  for (int attempt = 0; attempt < 100 && customer.value("status", "") != "Erased"; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto answer = get("/api/v1/customers/" + ada, administrator());
    ASSERT_EQ(answer.status, 200) << answer.body;
    customer = answer.json()["data"];
  }
  ASSERT_EQ(customer["status"], "Erased") << customer;
  EXPECT_EQ(customer["customerId"], ada);
  for (const char* personal : {"email", "username", "firstName", "lastName", "fullName", "phone",
                               "dateOfBirth", "gender"}) {
    EXPECT_FALSE(customer.contains(personal) && !customer[personal].is_null()) << personal;
  }
  EXPECT_EQ(get("/api/v1/customers/email/ada@example.com", administrator()).status, 404);
  EXPECT_EQ(get("/api/v1/customers/username/adalovelace1", administrator()).status, 404);
  const auto searched = get("/api/v1/customers/search?q=lovelace", administrator());
  ASSERT_EQ(searched.status, 200) << searched.body;
  EXPECT_TRUE(searched.json()["data"]["customers"].empty());
}

}  // namespace
}  // namespace clientele::testing
