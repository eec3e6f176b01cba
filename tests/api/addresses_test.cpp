// The address book routes of `clientele serve` end to end, over HTTP (issue 7): a customer adds,
// lists, updates, removes its addresses and picks the default one; an administrator does the same
// for any customer. Bodies with bad fields are 400 naming them, unknown addresses 404, stale
// If-Match 412; a customer reaches only its own book (404 for another's address, which stays as
// it was), customers are refused the administrator routes (403) and strangers every route (401);
// a POST retried with its Idempotency-Key adds once.

#include <gtest/gtest.h>

#include "tests/api/customer_flow.hpp"

namespace clientele::testing {
namespace {

using nlohmann::json;

constexpr const char* kMine = "/api/v1/customers/me/addresses";

class AddressRoutes : public CustomerFlow {
 protected:
  // Adds `address` to the book at `book` as `token`; returns the new address's id, and keeps the
  // write's position in `customer`.
  std::string added(const std::string& book, const std::string& token, const json& address,
                    Customer& customer) {
    const auto answer = send("POST", book, token, address);
    EXPECT_EQ(answer.status, 201) << answer.body;
    customer.position = answer.headers.at("x-clientele-position");
    return answer.json()["data"].value("addressId", "");
  }

  // The addresses of the book at `book` once `customer`'s last write is folded.
  json book_of(const std::string& book, const std::string& token, const Customer& customer) {
    const auto answer = get(book, token, customer.position);
    EXPECT_EQ(answer.status, 200) << answer.body;
    EXPECT_FALSE(answer.headers.contains("x-clientele-stale"));
    return answer.json()["data"]["addresses"];
  }

  // The ETag of `customer`'s book at `book`, once its last write is folded.
  std::string etag_of(const std::string& book, const std::string& token, const Customer& customer) {
    return get(book, token, customer.position).headers["etag"];
  }
};

// The addressIds of `addresses`, in order, with the default one marked "*".
std::vector<std::string> ids_of(const json& addresses) {
  std::vector<std::string> out;
  for (const auto& a : addresses) {
    out.push_back(a.value("addressId", "") + (a.value("isDefault", false) ? "*" : ""));
  }
  return out;
}

TEST_F(AddressRoutes, ACustomerAddsListsUpdatesAndRemovesItsAddresses) {
  auto ada = signed_up("ada@example.com");
  const auto first = send("POST", kMine, ada.token, home_address());
  ASSERT_EQ(first.status, 201) << first.body;
  const auto home = first.json()["data"];
  const std::string home_id = home["addressId"];
  EXPECT_EQ(home_id.rfind("ADDR_", 0), 0u);
  EXPECT_EQ(first.headers.at("location"), std::string(kMine) + "/" + home_id);
  EXPECT_EQ(home["isDefault"], true) << "the first address is the default";
  EXPECT_EQ(home["addressLine1"], "12 Analytical Row");
  EXPECT_EQ(home["country"], "KR");
  auto work_body = home_address("work");
  work_body["kind"] = "work";
  work_body.erase("addressLine2");
  const auto work_id = added(kMine, ada.token, work_body, ada);

  auto book = book_of(kMine, ada.token, ada);
  EXPECT_EQ(ids_of(book), (std::vector<std::string>{home_id + "*", work_id}));
  EXPECT_EQ(book[0]["alias"], "home");
  EXPECT_EQ(book[0]["recipientName"], "Ada Lovelace");
  EXPECT_EQ(book[0]["addressLine2"], "Flat 3");
  EXPECT_EQ(book[0]["postalCode"], "04524");
  EXPECT_FALSE(book[0].value("createdAt", "").empty());
  EXPECT_FALSE(book[0].value("updatedAt", "").empty());
  EXPECT_EQ(book[1]["kind"], "work");
  EXPECT_EQ(book[1]["addressLine2"], "");
  EXPECT_FALSE(book[0].contains("line1")) << "the read model's own names stay inside";

  auto moved = home_address("work");
  moved["kind"] = "work";
  moved["city"] = "Busan";
  const auto updated = send("PUT", std::string(kMine) + "/" + work_id, ada.token, moved);
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.json()["data"]["city"], "Busan");
  EXPECT_EQ(updated.json()["data"]["isDefault"], false);

  const auto made_default =
      send("PATCH", std::string(kMine) + "/" + work_id + "/default", ada.token);
  ASSERT_EQ(made_default.status, 200) << made_default.body;
  ada.position = made_default.headers.at("x-clientele-position");
  book = book_of(kMine, ada.token, ada);
  EXPECT_EQ(ids_of(book), (std::vector<std::string>{home_id, work_id + "*"}));
  EXPECT_EQ(book[1]["city"], "Busan");

  const auto removed = send("DELETE", std::string(kMine) + "/" + work_id, ada.token);
  ASSERT_EQ(removed.status, 200) << removed.body;
  ada.position = removed.headers.at("x-clientele-position");
  EXPECT_EQ(ids_of(book_of(kMine, ada.token, ada)), (std::vector<std::string>{home_id + "*"}))
      << "the default moves to the first remaining address";
}

TEST_F(AddressRoutes, AddressesWithBadFieldsAre400NamingThem) {
  auto ada = signed_up("ada@example.com");
  auto bad_country = home_address();
  bad_country["country"] = "Korea";
  auto no_city = home_address();
  no_city.erase("city");
  auto unknown = home_address();
  unknown["customerId"] = "CUST_00000001";
  auto bad_kind = home_address();
  bad_kind["kind"] = "castle";
  auto short_name = home_address();
  short_name["recipientName"] = "A";
  const std::pair<json, const char*> cases[] = {{bad_country, "country"},
                                                {no_city, "city"},
                                                {unknown, "customerId"},
                                                {bad_kind, "kind"},
                                                {short_name, "recipientName"}};
  for (const auto& [body, field] : cases) {
    const auto answer = send("POST", kMine, ada.token, body);
    EXPECT_EQ(answer.status, 400) << field << ": " << answer.body;
    EXPECT_TRUE(fields_of(answer).contains(field)) << field << ": " << answer.body;
  }
  const auto home_id = added(kMine, ada.token, home_address(), ada);
  const auto update = send("PUT", std::string(kMine) + "/" + home_id, ada.token, bad_country);
  EXPECT_EQ(update.status, 400) << update.body;
  EXPECT_TRUE(fields_of(update).contains("country")) << update.body;
  auto with_default = home_address();
  with_default["isDefault"] = true;
  EXPECT_TRUE(fields_of(send("PUT", std::string(kMine) + "/" + home_id, ada.token, with_default))
                  .contains("isDefault"))
      << "PUT does not take isDefault: PATCH .../default does that";
  EXPECT_EQ(get(std::string(kMine) + "?verbose=1", ada.token).status, 400);

  const auto book = book_of(kMine, ada.token, ada);
  ASSERT_EQ(book.size(), 1u) << "nothing bad was added";
  EXPECT_EQ(book[0]["country"], "KR") << "nothing bad was written";
}

TEST_F(AddressRoutes, UnknownAddressesAndCustomersAre404) {
  auto ada = signed_up("ada@example.com");
  added(kMine, ada.token, home_address(), ada);
  const std::string missing = std::string(kMine) + "/ADDR_00000000";
  EXPECT_EQ(send("PUT", missing, ada.token, home_address()).status, 404);
  EXPECT_EQ(send("DELETE", missing, ada.token).status, 404);
  EXPECT_EQ(send("PATCH", missing + "/default", ada.token).status, 404);

  const std::string nobody = "/api/v1/customers/CUST_0000ffff/addresses";
  EXPECT_EQ(get(nobody, administrator()).status, 404);
  EXPECT_EQ(send("POST", nobody, administrator(), home_address()).status, 404);
}

TEST_F(AddressRoutes, AChangeWithAStaleIfMatchIs412AndChangesNothing) {
  auto ada = signed_up("ada@example.com");
  const auto home_id = added(kMine, ada.token, home_address(), ada);
  const auto before = etag_of(kMine, ada.token, ada);
  ASSERT_FALSE(before.empty());
  const auto work_id = added(kMine, ada.token, home_address("work"), ada);
  const auto now = etag_of(kMine, ada.token, ada);
  ASSERT_NE(now, before);

  const std::string one = std::string(kMine) + "/" + home_id;
  const auto stale = send("PUT", one, ada.token, home_address("old"), {"If-Match: " + before});
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_TRUE(fields_of(stale).contains("If-Match"));
  EXPECT_EQ(send("DELETE", one, ada.token, nullptr, {"If-Match: " + before}).status, 412);
  EXPECT_EQ(send("PATCH", std::string(kMine) + "/" + work_id + "/default", ada.token, nullptr,
                 {"If-Match: " + before})
                .status,
            412);
  EXPECT_EQ(send("POST", kMine, ada.token, home_address("more"), {"If-Match: " + before}).status,
            412);

  const auto current = send("PUT", one, ada.token, home_address("new"), {"If-Match: " + now});
  ASSERT_EQ(current.status, 200) << current.body;
  EXPECT_NE(current.headers.at("etag"), now);
  ada.position = current.headers.at("x-clientele-position");
  const auto book = book_of(kMine, ada.token, ada);
  EXPECT_EQ(ids_of(book), (std::vector<std::string>{home_id + "*", work_id}));
  EXPECT_EQ(book[0]["alias"], "new");
}

TEST_F(AddressRoutes, ACustomerReachesOnlyItsOwnBook) {
  auto ada = signed_up("ada@example.com");
  auto bob = signed_up("bob@example.com");
  added(kMine, ada.token, home_address(), ada);
  const auto bobs = added(kMine, bob.token, home_address("bob's"), bob);
  const auto bob_before = book_of(kMine, bob.token, bob);

  const std::string theirs = std::string(kMine) + "/" + bobs;
  EXPECT_EQ(send("PUT", theirs, ada.token, home_address("mine now")).status, 404);
  EXPECT_EQ(send("PATCH", theirs + "/default", ada.token).status, 404);
  EXPECT_EQ(send("DELETE", theirs, ada.token).status, 404);
  EXPECT_EQ(book_of(kMine, bob.token, bob), bob_before) << "nothing of Bob's changed";
  EXPECT_EQ(book_of(kMine, ada.token, ada).size(), 1u);
}

TEST_F(AddressRoutes, CustomersAreRefusedTheAdministratorRoutesAndStrangersEveryRoute) {
  auto ada = signed_up("ada@example.com");
  const auto home_id = added(kMine, ada.token, home_address(), ada);
  const std::string theirs = "/api/v1/customers/" + ada.id + "/addresses";
  for (const auto& book : {theirs, std::string(kMine)}) {
    const std::string one = book + "/" + home_id;
    const std::pair<std::string, std::string> routes[] = {
        {"GET", book}, {"POST", book}, {"PUT", one}, {"DELETE", one}, {"PATCH", one + "/default"}};
    for (const auto& [method, path] : routes) {
      const json body = method == "POST" || method == "PUT" ? home_address("x") : json();
      EXPECT_EQ(send(method, path, "", body).status, 401) << method << " " << path;
      if (book == theirs) {
        EXPECT_EQ(send(method, path, ada.token, body).status, 403) << method << " " << path;
      }
    }
  }
  EXPECT_EQ(book_of(kMine, ada.token, ada).size(), 1u) << "the refused requests changed nothing";
  EXPECT_EQ(get(kMine, administrator()).status, 403) << "an administrator has no book of its own";
}

TEST_F(AddressRoutes, AnAdministratorManagesACustomersBook) {
  auto ada = signed_up("ada@example.com");
  const std::string book = "/api/v1/customers/" + ada.id + "/addresses";
  const auto first = send("POST", book, administrator(), home_address());
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string home_id = first.json()["data"]["addressId"];
  EXPECT_EQ(first.headers.at("location"), book + "/" + home_id);
  const auto work_id = added(book, administrator(), home_address("work"), ada);

  EXPECT_EQ(send("PUT", book + "/" + work_id, administrator(), home_address("office")).status, 200);
  EXPECT_EQ(send("PATCH", book + "/" + work_id + "/default", administrator()).status, 200);
  const auto removed = send("DELETE", book + "/" + home_id, administrator());
  ASSERT_EQ(removed.status, 200) << removed.body;
  ada.position = removed.headers.at("x-clientele-position");

  const auto seen_by_admin = book_of(book, administrator(), ada);
  EXPECT_EQ(ids_of(seen_by_admin), (std::vector<std::string>{work_id + "*"}));
  EXPECT_EQ(seen_by_admin[0]["alias"], "office");
  EXPECT_EQ(book_of(kMine, ada.token, ada), seen_by_admin) << "the customer sees the same book";
}

TEST_F(AddressRoutes, APostRetriedWithItsIdempotencyKeyAddsOnce) {
  auto ada = signed_up("ada@example.com");
  const std::vector<std::string> key{"Idempotency-Key: add-home-1"};
  const auto first = send("POST", kMine, ada.token, home_address(), key);
  ASSERT_EQ(first.status, 201) << first.body;
  const auto again = send("POST", kMine, ada.token, home_address(), key);
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.headers.at("idempotent-replayed"), "true");
  EXPECT_EQ(again.json()["data"], first.json()["data"]);
  EXPECT_EQ(again.headers.at("location"), first.headers.at("location"));
  EXPECT_EQ(send("POST", kMine, ada.token, home_address("other"), key).status, 422)
      << "the same key with another request";

  ada.position = first.headers.at("x-clientele-position");
  EXPECT_EQ(book_of(kMine, ada.token, ada).size(), 1u);
}

}  // namespace
}  // namespace clientele::testing
