// The administrators' lookups of customers, end to end over HTTP against `clientele serve`
// (issue 7, api/customer_lookup_routes.hpp): the advanced search, customers by tags and by
// location, and the countries, cities and states customers are located in. Each filters, pages
// without duplicates or gaps, names what it rejects, is refused to customers and to callers
// without a token, and never shows an erased customer.

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/api/customer_flow.hpp"

namespace clientele::testing {
namespace {

using nlohmann::json;

constexpr const char* kSearch = "/api/v1/customers/search";

json address_in(const std::string& city, const std::string& state, const std::string& country) {
  return {{"alias", "home"},          {"kind", "home"},    {"recipientName", "Ada Lovelace"},
          {"addressLine1", "1 Main"}, {"city", city},      {"state", state},
          {"postalCode", "12345"},    {"country", country}};
}

class CustomerLookups : public CustomerFlow {
 protected:
  Customer customer(const std::string& email, const std::string& first = "Ada",
                    const std::string& last = "Lovelace") {
    const auto id = registered(email, first, last);
    return {id, last_token_, positions_.back()};
  }

  // Sends a change and keeps its position for settle().
  void change(const std::string& method, const std::string& path, const std::string& token,
              const json& body = nullptr) {
    const auto answer = send(method, path, token, body);
    ASSERT_LT(answer.status, 300) << method << " " << path << ": " << answer.body;
    positions_.push_back(answer.headers.at("x-clientele-position"));
  }

  void located(const Customer& c, const std::string& city, const std::string& state,
               const std::string& country) {
    change("POST", "/api/v1/customers/me/addresses", c.token, address_in(city, state, country));
  }
  void tagged(const Customer& c, const json& tags) {
    change("PUT", "/api/v1/customers/" + c.id, administrator(), {{"tags", tags}});
  }

  // The ids of the customers of a successful list answer, in order.
  static std::vector<std::string> ids_of(const HttpAnswer& answer) {
    EXPECT_EQ(answer.status, 200) << answer.body;
    std::vector<std::string> out;
    const auto body = answer.json();
    for (const auto& c : body["data"]["customers"]) out.push_back(c.value("customerId", ""));
    return out;
  }

  std::vector<std::string> searched(const json& body) {
    return ids_of(send("POST", kSearch, administrator(), body));
  }
  std::vector<std::string> listed(const std::string& path) {
    return ids_of(get(path, administrator()));
  }

  // Every customer of a GET listing at `path` (with a query), read `limit` at a time by page
  // number and again by cursor; both must give the same customers, each once.
  std::vector<std::string> every_page(const std::string& path, int limit) {
    std::vector<std::string> by_page;
    for (int page = 1; page < 50; ++page) {
      const auto answer =
          get(path + "&limit=" + std::to_string(limit) + "&page=" + std::to_string(page),
              administrator());
      const auto ids = ids_of(answer);
      EXPECT_LE(ids.size(), static_cast<std::size_t>(limit));
      by_page.insert(by_page.end(), ids.begin(), ids.end());
      if (!answer.json()["data"]["pagination"]["hasNextPage"].get<bool>()) break;
    }
    std::vector<std::string> by_cursor;
    std::string cursor;
    for (int page = 1; page < 50; ++page) {
      auto url = path + "&limit=" + std::to_string(limit);
      if (!cursor.empty()) url += "&cursor=" + cursor;
      const auto answer = get(url, administrator());
      const auto ids = ids_of(answer);
      by_cursor.insert(by_cursor.end(), ids.begin(), ids.end());
      const auto next = answer.json()["data"]["pagination"]["nextCursor"];
      if (!next.is_string()) break;
      cursor = percent_encoded(next.get<std::string>());
    }
    EXPECT_EQ(by_page, by_cursor);
    EXPECT_EQ(std::set<std::string>(by_page.begin(), by_page.end()).size(), by_page.size());
    return by_page;
  }

  // The "data" of a successful GET of `path`.
  json data_of(const std::string& path) {
    const auto answer = get(path, administrator());
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.json()["data"];
  }
};

std::set<std::string> as_set(const std::vector<std::string>& ids) {
  return {ids.begin(), ids.end()};
}

TEST_F(CustomerLookups, AdvancedSearchMatchesNamesEmailCompanyVerificationActivityAndTags) {
  const auto ada = customer("ada@example.com", "Ada", "Lovelace");
  const auto grace = customer("grace@navy.example.org", "Grace", "Hopper");
  const auto alan = customer("alan@example.com", "Alan", "Turing");
  change("PUT", "/api/v1/customers/me", grace.token, {{"companyName", "US Navy"}});
  change("PATCH", "/api/v1/customers/" + ada.id + "/verify-email", administrator());
  change("PATCH", "/api/v1/customers/" + alan.id + "/status", administrator(),
         {{"status", "Inactive"}});
  tagged(ada, {"vip", "eu"});
  tagged(grace, {"vip"});
  ASSERT_NO_FATAL_FAILURE(settle());

  using Ids = std::vector<std::string>;
  EXPECT_EQ(searched({{"query", "lovelace"}}), Ids{ada.id});
  EXPECT_EQ(searched({{"firstName", "GRAC"}}), Ids{grace.id});
  EXPECT_EQ(searched({{"lastName", "turing"}}), Ids{alan.id});
  // "ada" is in Ada's name and email only; firstName must hold it.
  EXPECT_EQ(searched({{"firstName", "ada"}}), Ids{ada.id});
  EXPECT_TRUE(searched({{"lastName", "ada"}}).empty());
  EXPECT_EQ(searched({{"email", "example.com"}}), (Ids{alan.id, ada.id}));  // newest first
  EXPECT_EQ(searched({{"email", "example"}, {"sortOrder", "asc"}}),
            (Ids{ada.id, grace.id, alan.id}));
  EXPECT_EQ(searched({{"companyName", "navy"}}), Ids{grace.id});
  EXPECT_EQ(searched({{"isVerified", true}}), Ids{ada.id});
  EXPECT_EQ(searched({{"isVerified", false}, {"sortOrder", "asc"}}), (Ids{grace.id, alan.id}));
  EXPECT_EQ(searched({{"isActive", false}}), Ids{alan.id});
  EXPECT_EQ(searched({{"isActive", true}, {"sortOrder", "asc"}}), (Ids{ada.id, grace.id}));
  EXPECT_EQ(searched({{"tags", {"vip"}}, {"sortOrder", "asc"}}), (Ids{ada.id, grace.id}));
  EXPECT_EQ(searched({{"tags", {"VIP", "eu"}}}), Ids{ada.id});
  EXPECT_EQ(searched({{"query", "example"}, {"isActive", true}, {"companyName", "navy"}}),
            Ids{grace.id});
  EXPECT_TRUE(searched({{"createdAfter", "2999-01-01"}}).empty());
  EXPECT_EQ(searched({{"createdBefore", "2999-01-01T00:00:00Z"}}).size(), 3u);
  EXPECT_TRUE(searched({{"query", "nobody-here"}}).empty());

  // Pages: all three by two, without duplicates or gaps, by page and by cursor.
  const auto first = send("POST", kSearch, administrator(), {{"limit", 2}, {"page", 1}});
  const auto second = send("POST", kSearch, administrator(), {{"limit", 2}, {"page", 2}});
  const auto pagination = first.json()["data"]["pagination"];
  EXPECT_TRUE(pagination["hasNextPage"].get<bool>());
  EXPECT_EQ(pagination["currentPage"], 1);
  EXPECT_EQ(pagination["itemsPerPage"], 2);
  auto ids = ids_of(first);
  const auto more = ids_of(second);
  ids.insert(ids.end(), more.begin(), more.end());
  EXPECT_EQ(ids, (Ids{alan.id, grace.id, ada.id}));
  EXPECT_FALSE(second.json()["data"]["pagination"]["hasNextPage"].get<bool>());
  const auto by_cursor =
      send("POST", kSearch, administrator(), {{"limit", 2}, {"cursor", pagination["nextCursor"]}});
  EXPECT_EQ(ids_of(by_cursor), Ids{ada.id});
}

TEST_F(CustomerLookups, AdvancedSearchNamesEveryMemberItRejects) {
  const auto rejected = [&](const json& body) {
    const auto answer = send("POST", kSearch, administrator(), body);
    EXPECT_EQ(answer.status, 400) << body << ": " << answer.body;
    return fields_of(answer);
  };
  using Fields = std::set<std::string>;
  EXPECT_EQ(rejected({{"query", "ada"}, {"status", "Active"}, {"role", "x"}}),
            (Fields{"status", "role"}));
  EXPECT_EQ(rejected({{"query", "ad"}}), Fields{"query"});
  EXPECT_EQ(rejected({{"firstName", "Al"}}), Fields{"firstName"});
  EXPECT_EQ(rejected({{"companyName", ""}}), Fields{"companyName"});
  EXPECT_EQ(rejected({{"limit", 101}}), Fields{"limit"});
  EXPECT_EQ(rejected({{"page", 0}}), Fields{"page"});
  EXPECT_EQ(rejected({{"page", 2}, {"cursor", "abc"}}), Fields{"page"});
  EXPECT_EQ(rejected({{"cursor", "not-a-cursor"}}), Fields{"cursor"});
  EXPECT_EQ(rejected({{"sortBy", "lastName"}}), Fields{"sortBy"});
  EXPECT_EQ(rejected({{"sortOrder", "up"}}), Fields{"sortOrder"});
  EXPECT_EQ(rejected({{"country", "KOR"}}), Fields{"country"});
  EXPECT_EQ(rejected({{"isActive", "yes"}}), Fields{"isActive"});
  EXPECT_EQ(rejected({{"isVerified", 1}}), Fields{"isVerified"});
  EXPECT_EQ(rejected({{"tags", "vip,eu"}}), Fields{"tags"});
  EXPECT_EQ(rejected({{"tags", {""}}}), Fields{"tags"});
  EXPECT_EQ(rejected({{"createdAfter", "yesterday"}}), Fields{"createdAfter"});
  EXPECT_EQ(rejected({{"createdBefore", 20240101}}), Fields{"createdBefore"});
}

TEST_F(CustomerLookups, TagsRouteListsCustomersHavingEveryTagInPagesWithoutDuplicatesOrGaps) {
  std::vector<Customer> both;
  for (int i = 0; i < 5; ++i) both.push_back(customer("both" + std::to_string(i) + "@example.com"));
  const auto vip_only = customer("vip@example.com");
  customer("none@example.com");
  for (const auto& c : both) tagged(c, {"vip", "eu"});
  tagged(vip_only, {"vip"});
  ASSERT_NO_FATAL_FAILURE(settle());

  std::set<std::string> expected;
  for (const auto& c : both) expected.insert(c.id);
  const auto pages = every_page("/api/v1/customers/tags/vip,eu?sortOrder=asc", 2);
  EXPECT_EQ(pages.size(), 5u);
  EXPECT_EQ(as_set(pages), expected);
  expected.insert(vip_only.id);
  EXPECT_EQ(as_set(every_page("/api/v1/customers/tags/VIP?sortBy=totalOrders", 4)), expected);
  EXPECT_TRUE(listed("/api/v1/customers/tags/vip,eu,wholesale").empty());

  for (const char* bad : {"/api/v1/customers/tags/vip,,eu", "/api/v1/customers/tags/vip%2"}) {
    const auto answer = get(bad, administrator());
    EXPECT_EQ(answer.status, 400) << bad;
    EXPECT_EQ(fields_of(answer), std::set<std::string>{"tags"}) << bad;
  }
  EXPECT_EQ(fields_of(get("/api/v1/customers/tags/vip?limit=101", administrator())),
            std::set<std::string>{"limit"});
  EXPECT_EQ(fields_of(get("/api/v1/customers/tags/vip?status=Active", administrator())),
            std::set<std::string>{"status"});
}

TEST_F(CustomerLookups, LocationSearchAndAvailableLocationsFollowEachCustomersLocation) {
  const auto seoul = customer("seoul@example.com");
  const auto busan = customer("busan@example.com");
  const auto busan2 = customer("busan2@example.com");
  const auto berlin = customer("berlin@example.com");
  customer("nowhere@example.com");
  located(seoul, "Seoul", "Seoul", "KR");
  located(busan, "Busan", "Gyeongsang", "KR");
  located(busan2, "Busan", "Gyeongsang", "KR");
  located(berlin, "Berlin", "", "DE");
  ASSERT_NO_FATAL_FAILURE(settle());

  EXPECT_EQ(
      data_of("/api/v1/customers/available/countries")["countries"],
      (json{{{"country", "DE"}, {"customerCount", 1}}, {{"country", "KR"}, {"customerCount", 3}}}));
  const auto cities = data_of("/api/v1/customers/available/cities?country=kr");
  EXPECT_EQ(cities["country"], "KR");
  EXPECT_EQ(cities["cities"], (json{{{"city", "Busan"}, {"customerCount", 2}},
                                    {{"city", "Seoul"}, {"customerCount", 1}}}));
  const auto everywhere = data_of("/api/v1/customers/available/cities");
  EXPECT_TRUE(everywhere["country"].is_null());
  EXPECT_EQ(everywhere["cities"].size(), 3u);
  EXPECT_EQ(everywhere["cities"][0]["city"], "Berlin");
  EXPECT_EQ(data_of("/api/v1/customers/available/states?country=KR")["states"],
            (json{{{"state", "Gyeongsang"}, {"customerCount", 2}},
                  {{"state", "Seoul"}, {"customerCount", 1}}}));
  EXPECT_TRUE(data_of("/api/v1/customers/available/states?country=DE")["states"].empty());
  EXPECT_TRUE(data_of("/api/v1/customers/available/cities?country=FR")["cities"].empty());

  EXPECT_EQ(as_set(every_page("/api/v1/customers/location/search?country=KR", 1)),
            (std::set<std::string>{seoul.id, busan.id, busan2.id}));
  EXPECT_EQ(as_set(every_page("/api/v1/customers/location/search?city=busan&sortOrder=asc", 1)),
            (std::set<std::string>{busan.id, busan2.id}));
  EXPECT_EQ(listed("/api/v1/customers/location/search?city=Berlin&country=DE"),
            std::vector<std::string>{berlin.id});
  EXPECT_TRUE(listed("/api/v1/customers/location/search?city=Berlin&country=KR").empty());

  using Fields = std::set<std::string>;
  EXPECT_EQ(fields_of(get("/api/v1/customers/location/search", administrator())), Fields{"city"});
  EXPECT_EQ(fields_of(get("/api/v1/customers/location/search?country=KOR", administrator())),
            Fields{"country"});
  EXPECT_EQ(fields_of(get("/api/v1/customers/location/search?country=KR&near=1", administrator())),
            Fields{"near"});
  EXPECT_EQ(fields_of(get("/api/v1/customers/available/cities?country=1", administrator())),
            Fields{"country"});
  EXPECT_EQ(fields_of(get("/api/v1/customers/available/states?city=Seoul", administrator())),
            Fields{"city"});
  EXPECT_EQ(fields_of(get("/api/v1/customers/available/countries?country=KR", administrator())),
            Fields{"country"});
}

TEST_F(CustomerLookups, CustomersAndCallersWithoutATokenAreRefused) {
  const auto ada = customer("ada@example.com");
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"POST", kSearch},
      {"GET", "/api/v1/customers/tags/vip"},
      {"GET", "/api/v1/customers/location/search?country=KR"},
      {"GET", "/api/v1/customers/available/countries"},
      {"GET", "/api/v1/customers/available/cities?country=KR"},
      {"GET", "/api/v1/customers/available/states?country=KR"},
  };
  for (const auto& [method, path] : routes) {
    const json body = method == "POST" ? json{{"query", "ada"}} : json();
    EXPECT_EQ(send(method, path, ada.token, body).status, 403) << method << " " << path;
    EXPECT_EQ(send(method, path, "", body).status, 401) << method << " " << path;
  }
}

TEST_F(CustomerLookups, ErasedCustomersAreInNoLookup) {
  const auto ada = customer("ada@example.com", "Ada", "Lovelace");
  const auto bob = customer("bob@example.com", "Bob", "Lovelace");
  located(ada, "Seoul", "Seoul", "KR");
  located(bob, "Busan", "Gyeongsang", "KR");
  tagged(ada, {"vip"});
  tagged(bob, {"vip"});
  ASSERT_NO_FATAL_FAILURE(settle());
  const auto token = administrator();  // made before the restart; it survives it

  ASSERT_NO_FATAL_FAILURE(erase_while_stopped(ada.id));
  ASSERT_NO_FATAL_FAILURE(start());
  std::string status;
  for (int attempt = 0; attempt < 100 && status != "Erased"; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto answer = get("/api/v1/customers/" + ada.id, token);
    ASSERT_EQ(answer.status, 200) << answer.body;
    status = answer.json()["data"].value("status", "");
  }
  ASSERT_EQ(status, "Erased");
  // The analytics model may fold the erasure a little after the profile model.
  json countries;
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    countries = data_of("/api/v1/customers/available/countries")["countries"];
    if (countries == json{{{"country", "KR"}, {"customerCount", 1}}}) break;
  }
  EXPECT_EQ(countries, (json{{{"country", "KR"}, {"customerCount", 1}}}));

  const std::vector<std::string> only_bob{bob.id};
  EXPECT_EQ(data_of("/api/v1/customers/available/cities?country=KR")["cities"],
            (json{{{"city", "Busan"}, {"customerCount", 1}}}));
  EXPECT_EQ(data_of("/api/v1/customers/available/states?country=KR")["states"],
            (json{{{"state", "Gyeongsang"}, {"customerCount", 1}}}));
  EXPECT_EQ(listed("/api/v1/customers/location/search?country=KR"), only_bob);
  EXPECT_TRUE(listed("/api/v1/customers/location/search?city=Seoul").empty());
  EXPECT_EQ(listed("/api/v1/customers/tags/vip"), only_bob);
  EXPECT_EQ(searched({{"country", "KR"}}), only_bob);
  EXPECT_EQ(searched({{"lastName", "lovelace"}}), only_bob);
  EXPECT_TRUE(searched({{"isActive", false}}).empty());
  EXPECT_EQ(searched(json::object()), only_bob);
}

}  // namespace
}  // namespace clientele::testing
