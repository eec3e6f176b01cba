// The order routes of `clientele serve` end to end, over HTTP (issue 8): a customer places orders
// to an address of its book or to one given with the order, reads, lists and searches its own,
// cancels them and asks for returns; an administrator moves them Placed -> Processing -> Shipped
// -> Delivered, approves or rejects returns, completes approved ones and lists and searches every
// customer's orders. Bad bodies and queries are 400 naming the field, steps out of order 409
// naming "status", a stale If-Match 412; a customer reaches only its own orders (404 for
// another's, which stays as it was), customers are refused the administrator routes (403) and
// strangers every route (401); a suspended customer places nothing (409); a placement retried with
// its Idempotency-Key places once. No resource shows the read model's own fields (version,
// placed, returnNotes): every helper below that reads one checks it.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "tests/api/customer_flow.hpp"

namespace clientele::testing {
namespace {

using nlohmann::json;
using Ids = std::vector<std::string>;

constexpr const char* kOrders = "/api/v1/orders";

// True iff `text` is one or more decimal digits. (Not std::regex: GCC 12 warns inside it under
// -fsanitize, and the build treats warnings as errors.)
bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// True iff `id` has the shape ORD-YYYY-NNNNNN.
bool is_order_id(std::string_view id) {
  return id.size() == 15 && id.starts_with("ORD-") && all_digits(id.substr(4, 4)) && id[8] == '-' &&
         all_digits(id.substr(9));
}

// True iff `tag` is one strong ETag of a version: "<digits>" with its quotes.
bool is_version_etag(std::string_view tag) {
  return tag.size() > 2 && tag.front() == '"' && tag.back() == '"' &&
         all_digits(tag.substr(1, tag.size() - 2));
}

json line(const std::string& product_id, const std::string& name, int quantity, int unit_price) {
  return {{"productId", product_id},
          {"productName", name},
          {"quantity", quantity},
          {"unitPrice", unit_price}};
}

// Ada's home as a delivery address given with an order: the book's address without alias and kind.
json inline_address() {
  auto address = home_address();
  address.erase("alias");
  address.erase("kind");
  return address;
}

// A placement of `items` in euros to inline_address(); by default 2 x 12.50 + 1 x 4.99 = 29.99.
json an_order(json items = json::array({line("SKU-1", "Blue Widget", 2, 1250),
                                        line("SKU-2", "Red Gadget", 1, 499)})) {
  return {{"items", std::move(items)}, {"currency", "EUR"}, {"deliveryAddress", inline_address()}};
}

// "YYYY-MM-DD" of `day`.
std::string date_of(std::chrono::sys_days day) {
  const std::chrono::year_month_day ymd{day};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return text;
}
std::chrono::sys_days today() {
  return std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
}
std::string this_year() {
  return date_of(today()).substr(0, 4);
}

// Expects `order` (a resource in an answer) to hold none of the read model's own fields.
void expect_public(const json& order) {
  for (const char* internal : {"version", "placed", "returnNotes"}) {
    EXPECT_FALSE(order.contains(internal)) << internal << " in " << order.dump();
  }
}

// An order: its id and the position of its last write.
struct Order {
  std::string id;
  std::string position;
};

class OrderRoutes : public CustomerFlow {
 protected:
  static std::string path_of(const Order& order) { return std::string(kOrders) + "/" + order.id; }

  // Places `body` as `customer`; the order (empty when refused, a failure). Keeps the position
  // for settle().
  Order placed(const Customer& customer, const json& body = an_order()) {
    const auto answer = send("POST", kOrders, customer.token, body);
    EXPECT_EQ(answer.status, 201) << answer.body;
    if (answer.status != 201) return {};
    auto order = answer.json()["data"];
    expect_public(order);
    positions_.push_back(answer.headers.at("x-clientele-position"));
    return {order.value("orderId", ""), positions_.back()};
  }

  // `method` on the route of `order` that ends in `route` ("/status", "/cancel", ...), as `token`
  // with `body` and more `headers`. Sends the position of the order's last write, as a client
  // does: an administrator's change finds the order's customer in the read model.
  HttpAnswer on(const Order& order, const std::string& method, const std::string& route,
                const std::string& token, const json& body = json::object(),
                std::vector<std::string> headers = {}) {
    if (!order.position.empty()) headers.push_back("X-Clientele-Position: " + order.position);
    return send(method, path_of(order) + route, token, body, std::move(headers));
  }

  // As on(), for a change that must succeed: the order resource it answers. Keeps the position in
  // `order` and for settle().
  json changed(Order& order, const std::string& method, const std::string& route,
               const std::string& token, const json& body = json::object()) {
    const auto answer = on(order, method, route, token, body);
    EXPECT_EQ(answer.status, 200) << method << " " << route << ": " << answer.body;
    if (answer.status != 200) return json();
    order.position = answer.headers.at("x-clientele-position");
    positions_.push_back(order.position);
    auto resource = answer.json()["data"];
    expect_public(resource);
    return resource;
  }

  // An administrator moves `order` to `status` (PATCH .../status); the resource answered.
  json moved(Order& order, const std::string& status) {
    return changed(order, "PATCH", "/status", administrator(), {{"status", status}});
  }
  void delivered(Order& order) {
    for (const char* status : {"Processing", "Shipped", "Delivered"}) moved(order, status);
  }

  // GET of `order`'s `route` as `token` once its last write is folded: the answer's data.
  json read(const Order& order, const std::string& token, const std::string& route = "") {
    const auto answer = get(path_of(order) + route, token, order.position);
    EXPECT_EQ(answer.status, 200) << route << ": " << answer.body;
    EXPECT_FALSE(answer.headers.contains("x-clientele-stale"));
    return answer.json()["data"];
  }
  json order_of(const Order& order, const std::string& token) {
    auto resource = read(order, token);
    expect_public(resource);
    return resource;
  }
  json history_of(const Order& order, const std::string& token) {
    return read(order, token, "/history")["history"];
  }

  // The ETag of `order` once its last write is folded.
  std::string etag_of(const Order& order, const std::string& token) {
    return get(path_of(order), token, order.position).headers["etag"];
  }

  // The orderIds of a listing's or search's answer, which must be 200, in order.
  static Ids ids_of(const HttpAnswer& answer) {
    EXPECT_EQ(answer.status, 200) << answer.body;
    Ids out;
    auto body = answer.json();
    for (const auto& order : body["data"]["orders"]) {
      expect_public(order);
      out.push_back(order.value("orderId", ""));
    }
    return out;
  }
  Ids listed(const std::string& path, const std::string& token) { return ids_of(get(path, token)); }
};

// ---- placement ------------------------------------------------------------------------------

TEST_F(OrderRoutes, AnOrderWithItsAddressGivenIsPlacedAndReadBackTheSame) {
  auto ada = signed_up("ada@example.com");
  auto answer = send("POST", kOrders, ada.token, an_order());
  ASSERT_EQ(answer.status, 201) << answer.body;
  auto order = answer.json()["data"];
  const std::string id = order.value("orderId", "");
  EXPECT_TRUE(is_order_id(id)) << id;
  EXPECT_EQ(id, "ORD-" + this_year() + "-000001") << "the installation's first order";
  EXPECT_EQ(answer.headers["location"], std::string(kOrders) + "/" + id);
  EXPECT_TRUE(is_version_etag(answer.headers["etag"])) << answer.headers["etag"];
  ASSERT_FALSE(answer.headers["x-clientele-position"].empty());

  EXPECT_EQ(order["customerId"], ada.id);
  EXPECT_EQ(order["items"], json::array({{{"productId", "SKU-1"},
                                          {"productName", "Blue Widget"},
                                          {"quantity", 2},
                                          {"unitPrice", 1250},
                                          {"totalPrice", 2500}},
                                         {{"productId", "SKU-2"},
                                          {"productName", "Red Gadget"},
                                          {"quantity", 1},
                                          {"unitPrice", 499},
                                          {"totalPrice", 499}}}));
  EXPECT_EQ(order["currency"], "EUR");
  EXPECT_EQ(order["totalAmount"], 2999);
  EXPECT_EQ(order["status"], "Placed");
  EXPECT_EQ(order["deliveryAddress"], inline_address());
  for (const char* empty : {"returnStatus", "cancellationReason", "returnReason", "deliveredAt"}) {
    EXPECT_TRUE(order.contains(empty) && order[empty].is_null()) << empty << ": " << order.dump();
  }
  EXPECT_EQ(order.value("orderDate", "").substr(0, 4), this_year());
  EXPECT_EQ(order["createdAt"], order["orderDate"]);
  EXPECT_FALSE(order.value("updatedAt", "").empty());
  expect_public(order);

  auto read =
      get(std::string(kOrders) + "/" + id, ada.token, answer.headers["x-clientele-position"]);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_FALSE(read.headers.contains("x-clientele-stale"));
  EXPECT_EQ(read.json()["data"], order) << "GET answers what the POST did";
  EXPECT_EQ(read.headers.at("etag"), answer.headers["etag"]);
  EXPECT_EQ(get(std::string(kOrders) + "/" + id, administrator()).json()["data"], order)
      << "an administrator reads any order";
}

TEST_F(OrderRoutes, AnOrderToAnAddressOfTheBookCopiesItAndTakesTheNextNumber) {
  auto ada = signed_up("ada@example.com");
  auto bob = signed_up("bob@example.com");
  auto home = home_address();
  home["recipientName"] = "Ada King";
  home["city"] = "Busan";
  const auto added = send("POST", "/api/v1/customers/me/addresses", ada.token, home);
  ASSERT_EQ(added.status, 201) << added.body;
  const std::string address_id = added.json()["data"]["addressId"];

  const auto first = placed(ada);
  auto to_book = an_order();
  to_book.erase("deliveryAddress");
  to_book["deliveryAddressId"] = address_id;
  to_book["totalAmount"] = 2999;
  const auto second = placed(ada, to_book);
  EXPECT_EQ(first.id, "ORD-" + this_year() + "-000001");
  EXPECT_EQ(second.id, "ORD-" + this_year() + "-000002");

  auto order = order_of(second, ada.token);
  auto expected = home;
  expected.erase("alias");
  expected.erase("kind");
  EXPECT_EQ(order["deliveryAddress"], expected);
  EXPECT_EQ(order["totalAmount"], 2999);
  EXPECT_EQ(order["status"], "Placed");

  EXPECT_EQ(refusal(send("POST", kOrders, bob.token, to_book)), "404 deliveryAddressId")
      << "Bob cannot send to Ada's address";
  to_book["deliveryAddressId"] = "ADDR_00000000";
  EXPECT_EQ(refusal(send("POST", kOrders, ada.token, to_book)), "404 deliveryAddressId");
}

TEST_F(OrderRoutes, BadPlacementsAre400NamingTheFieldAndPlaceNothing) {
  auto ada = signed_up("ada@example.com");
  auto both = an_order();
  both["deliveryAddressId"] = "ADDR_00000001";
  auto neither = an_order();
  neither.erase("deliveryAddress");
  auto mismatch = an_order();
  mismatch["totalAmount"] = 3000;
  auto unknown = an_order();
  unknown["discount"] = 10;
  auto zero = an_order();
  zero["items"][0]["quantity"] = 0;
  auto negative = an_order();
  negative["items"][1]["unitPrice"] = -1;
  auto long_id = an_order();
  long_id["items"][0]["productId"] = std::string(65, 'x');
  auto euro = an_order();
  euro["currency"] = "EURO";
  auto no_currency = an_order();
  no_currency.erase("currency");
  const std::pair<json, const char*> cases[] = {
      {an_order(json::array()), "items"},
      {an_order(json::array({line("SKU-1", "Widget", 1, 1)})), ""},  // placed: the control
      {an_order(json(std::vector<json>(101, line("SKU-1", "Widget", 1, 1)))), "items"},
      {zero, "items[0].quantity"},
      {negative, "items[1].unitPrice"},
      {long_id, "items[0].productId"},
      {euro, "currency"},
      {no_currency, "currency"},
      {both, "deliveryAddressId"},
      {neither, "deliveryAddressId"},
      {mismatch, "totalAmount"},
      {unknown, "discount"}};
  Order control;
  for (const auto& [body, field] : cases) {
    if (*field == '\0') {
      control = placed(ada, body);
      continue;
    }
    const auto answer = send("POST", kOrders, ada.token, body);
    EXPECT_EQ(answer.status, 400) << field << ": " << answer.body;
    EXPECT_TRUE(fields_of(answer).contains(field)) << field << ": " << answer.body;
  }
  ASSERT_NO_FATAL_FAILURE(settle());
  EXPECT_EQ(listed(kOrders, ada.token), Ids{control.id}) << "only the good order was placed";
  EXPECT_EQ(listed(kOrders, administrator()), Ids{control.id});
}

TEST_F(OrderRoutes, ASuspendedCustomerPlacesNothing) {
  auto ada = signed_up("ada@example.com");
  const auto suspended = send("PATCH", "/api/v1/customers/" + ada.id + "/status", administrator(),
                              {{"status", "Suspended"}, {"reason", "chargebacks"}});
  ASSERT_EQ(suspended.status, 200) << suspended.body;
  EXPECT_EQ(refusal(send("POST", kOrders, ada.token, an_order())), "409 customerId");
  EXPECT_EQ(listed(kOrders, administrator()), Ids{});
}

TEST_F(OrderRoutes, APlacementRetriedWithItsIdempotencyKeyPlacesOnce) {
  auto ada = signed_up("ada@example.com");
  const std::vector<std::string> key{"Idempotency-Key: order-1"};
  auto first = send("POST", kOrders, ada.token, an_order(), key);
  ASSERT_EQ(first.status, 201) << first.body;
  auto again = send("POST", kOrders, ada.token, an_order(), key);
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.headers["idempotent-replayed"], "true");
  EXPECT_EQ(again.json()["data"], first.json()["data"]);
  EXPECT_EQ(again.headers["location"], first.headers["location"]);
  EXPECT_EQ(send("POST", kOrders, ada.token, an_order(json::array({line("S", "Other", 1, 1)})), key)
                .status,
            422)
      << "the same key with another request";

  const std::string id = first.json()["data"]["orderId"];
  positions_.push_back(first.headers["x-clientele-position"]);
  const auto next = placed(ada);
  EXPECT_EQ(next.id, "ORD-" + this_year() + "-000002") << "the replay took no number";
  ASSERT_NO_FATAL_FAILURE(settle());
  EXPECT_EQ(listed(kOrders, ada.token), (Ids{next.id, id}));
}

// ---- status changes -------------------------------------------------------------------------

TEST_F(OrderRoutes, AnOrderIsFulfilledReturnedAndItsHistoryTellsEachStep) {
  auto ada = signed_up("ada@example.com");
  auto order = placed(ada);
  const auto admin = administrator();

  auto processing =
      changed(order, "PATCH", "/status", admin, {{"status", "Processing"}, {"notes", "picked"}});
  EXPECT_EQ(processing["status"], "Processing");
  EXPECT_EQ(processing["orderId"], order.id);
  EXPECT_TRUE(processing["deliveredAt"].is_null());
  EXPECT_EQ(moved(order, "Shipped")["status"], "Shipped");
  auto delivered = moved(order, "Delivered");
  EXPECT_EQ(delivered["status"], "Delivered");
  EXPECT_FALSE(delivered.value("deliveredAt", "").empty()) << delivered.dump();

  auto requested = changed(order, "POST", "/return", ada.token, {{"reason", "too small"}});
  EXPECT_EQ(requested["status"], "Return Requested");
  EXPECT_EQ(requested["returnStatus"], "Pending");
  EXPECT_EQ(requested["returnReason"], "too small");
  auto approved = changed(order, "PATCH", "/return/approve", admin, {{"notes", "label sent"}});
  EXPECT_EQ(approved["status"], "Return Requested");
  EXPECT_EQ(approved["returnStatus"], "Approved");
  auto returned = moved(order, "Returned");
  EXPECT_EQ(returned["status"], "Returned");
  EXPECT_EQ(returned["returnStatus"], "Approved");
  EXPECT_EQ(returned["totalAmount"], 2999);
  EXPECT_EQ(order_of(order, ada.token), returned) << "GET answers what the last change did";

  auto history = history_of(order, administrator());
  EXPECT_EQ(steps_of(history),
            (Ids{"- -> Placed by Customer", "Placed -> Processing by Administrator",
                 "Processing -> Shipped by Administrator", "Shipped -> Delivered by Administrator",
                 "Delivered -> Return Requested by Customer",
                 "Return Requested -> Return Requested by Administrator",
                 "Return Requested -> Returned by Administrator"}));
  ASSERT_EQ(history.size(), 7u);
  EXPECT_EQ(history[0]["actor"]["id"], ada.id);
  EXPECT_FALSE(history[1]["actor"].value("id", "").empty());
  EXPECT_NE(history[1]["actor"]["id"], ada.id);
  auto seen_by_ada = history_of(order, ada.token);
  EXPECT_EQ(steps_of(seen_by_ada), steps_of(history));
  ASSERT_EQ(seen_by_ada.size(), 7u);
  EXPECT_EQ(seen_by_ada[4]["actor"]["id"], ada.id);
  EXPECT_FALSE(seen_by_ada[1]["actor"].contains("id")) << "a customer learns staff's role, not who";
  EXPECT_EQ(history[1]["notes"], "picked");
  EXPECT_EQ(history[4]["notes"], "too small");
  EXPECT_EQ(history[5]["notes"], "label sent");
  for (std::size_t i = 1; i < history.size(); ++i) {
    EXPECT_LE(history[i - 1].value("at", ""), history[i].value("at", "")) << i;
    EXPECT_FALSE(history[i].value("event", "").empty()) << i;
  }
}

TEST_F(OrderRoutes, ARejectedReturnLeavesTheOrderDeliveredAndIsAskedForOnce) {
  auto ada = signed_up("ada@example.com");
  auto order = placed(ada);
  delivered(order);
  changed(order, "POST", "/return", ada.token, {{"reason", "scratched"}});
  const auto admin = administrator();
  EXPECT_EQ(refusal(on(order, "PATCH", "/return/reject", admin)), "400 reason");

  auto rejected = changed(order, "PATCH", "/return/reject", admin, {{"reason", "worn"}});
  EXPECT_EQ(rejected["status"], "Delivered");
  EXPECT_EQ(rejected["returnStatus"], "Rejected");

  EXPECT_EQ(refusal(on(order, "POST", "/return", ada.token, {{"reason", "again"}})), "409 status")
      << "a return is asked for once";
  EXPECT_EQ(refusal(on(order, "PATCH", "/return/approve", admin)), "409 status");
  EXPECT_EQ(refusal(on(order, "PATCH", "/return/reject", admin, {{"reason", "x"}})), "409 status");
  EXPECT_EQ(refusal(on(order, "PATCH", "/status", admin, {{"status", "Returned"}})), "409 status")
      << "only an approved return is completed";

  auto now = order_of(order, ada.token);
  EXPECT_EQ(now["status"], "Delivered");
  EXPECT_EQ(now["returnStatus"], "Rejected");
  const auto steps = steps_of(history_of(order, ada.token));
  ASSERT_EQ(steps.size(), 6u);
  EXPECT_EQ(steps.back(), "Return Requested -> Delivered by Administrator");
}

TEST_F(OrderRoutes, StepsOutOfOrderAre409AndOtherStatuses400AndChangeNothing) {
  auto ada = signed_up("ada@example.com");
  auto order = placed(ada);
  const auto admin = administrator();
  for (const char* status : {"Cancelled", "Placed", "Return Requested", "Nonsense", ""}) {
    EXPECT_EQ(refusal(on(order, "PATCH", "/status", admin, {{"status", status}})), "400 status")
        << status;
  }
  EXPECT_EQ(refusal(on(order, "PATCH", "/status", admin, {{"notes", "no status"}})), "400 status");

  for (const char* status : {"Shipped", "Delivered", "Returned"}) {
    EXPECT_EQ(refusal(on(order, "PATCH", "/status", admin, {{"status", status}})), "409 status")
        << "Placed -> " << status;
  }
  EXPECT_EQ(refusal(on(order, "POST", "/return", ada.token, {{"reason", "early"}})), "409 status")
      << "a return before delivery";
  EXPECT_EQ(refusal(on(order, "PATCH", "/return/approve", admin)), "409 status");
  EXPECT_EQ(refusal(on(order, "PATCH", "/return/reject", admin, {{"reason", "x"}})), "409 status");

  moved(order, "Processing");
  EXPECT_EQ(refusal(on(order, "PATCH", "/status", admin, {{"status", "Delivered"}})), "409 status")
      << "Processing -> Delivered";
  EXPECT_EQ(on(order, "PATCH", "/status", admin, {{"status", "Processing"}}).status, 200)
      << "the current status again is no change (and no history entry)";
  moved(order, "Shipped");
  EXPECT_EQ(refusal(on(order, "POST", "/cancel", ada.token, {{"reason", "late"}})), "409 status")
      << "a shipped order is not cancelled";
  EXPECT_EQ(refusal(on(order, "POST", "/cancel", admin, {{"reason", "late"}})), "409 status");

  EXPECT_EQ(order_of(order, ada.token)["status"], "Shipped");
  EXPECT_EQ(steps_of(history_of(order, ada.token)),
            (Ids{"- -> Placed by Customer", "Placed -> Processing by Administrator",
                 "Processing -> Shipped by Administrator"}));
}

TEST_F(OrderRoutes, TheCustomerOrAnAdministratorCancelsWhilePlacedOrProcessing) {
  auto ada = signed_up("ada@example.com");
  auto placed_one = placed(ada);
  auto processing = placed(ada);
  const auto admin = administrator();
  EXPECT_EQ(refusal(on(placed_one, "POST", "/cancel", ada.token)), "400 reason");
  EXPECT_EQ(
      refusal(on(placed_one, "POST", "/cancel", ada.token, {{"reason", std::string(501, 'x')}})),
      "400 reason");

  auto cancelled =
      changed(placed_one, "POST", "/cancel", ada.token, {{"reason", "changed my mind"}});
  EXPECT_EQ(cancelled["status"], "Cancelled");
  EXPECT_EQ(cancelled["cancellationReason"], "changed my mind");
  moved(processing, "Processing");
  auto by_admin = changed(processing, "POST", "/cancel", admin, {{"reason", "out of stock"}});
  EXPECT_EQ(by_admin["status"], "Cancelled");
  EXPECT_EQ(by_admin["cancellationReason"], "out of stock");

  EXPECT_EQ(refusal(on(placed_one, "PATCH", "/status", admin, {{"status", "Processing"}})),
            "409 status")
      << "a cancelled order moves no more";
  EXPECT_EQ(refusal(on(placed_one, "POST", "/cancel", ada.token, {{"reason", "again"}})),
            "409 status");
  EXPECT_EQ(refusal(on(placed_one, "POST", "/return", ada.token, {{"reason", "x"}})), "409 status");

  EXPECT_EQ(order_of(placed_one, ada.token), cancelled);
  EXPECT_EQ(steps_of(history_of(processing, ada.token)),
            (Ids{"- -> Placed by Customer", "Placed -> Processing by Administrator",
                 "Processing -> Cancelled by Administrator"}));
}

TEST_F(OrderRoutes, AChangeWithAStaleIfMatchIs412AndChangesNothing) {
  auto ada = signed_up("ada@example.com");
  auto order = placed(ada);
  const auto admin = administrator();
  const auto placed_etag = etag_of(order, ada.token);
  ASSERT_TRUE(is_version_etag(placed_etag)) << placed_etag;

  const auto current = on(order, "PATCH", "/status", admin, {{"status", "Processing"}},
                          {"If-Match: " + placed_etag});
  ASSERT_EQ(current.status, 200) << current.body;
  order.position = current.headers.at("x-clientele-position");
  const auto processing_etag = etag_of(order, ada.token);
  EXPECT_EQ(processing_etag, '"' + std::to_string(std::stoi(placed_etag.substr(1)) + 1) + '"')
      << "each change is one version";

  const std::vector<std::string> stale{"If-Match: " + placed_etag};
  EXPECT_EQ(on(order, "PATCH", "/status", admin, {{"status", "Shipped"}}, stale).status, 412);
  EXPECT_EQ(on(order, "POST", "/cancel", ada.token, {{"reason", "late"}}, stale).status, 412);
  EXPECT_EQ(order_of(order, ada.token)["status"], "Processing");
  EXPECT_EQ(etag_of(order, ada.token), processing_etag);

  EXPECT_EQ(on(order, "POST", "/cancel", ada.token, {{"reason", "late"}},
               {"If-Match: " + processing_etag})
                .status,
            200);
}

// ---- who reaches what -----------------------------------------------------------------------

TEST_F(OrderRoutes, ACustomerReachesOnlyItsOwnOrders) {
  auto ada = signed_up("ada@example.com");
  auto bob = signed_up("bob@example.com");
  auto order = placed(ada);
  const auto before = order_of(order, ada.token);

  EXPECT_EQ(get(path_of(order), bob.token, order.position).status, 404);
  EXPECT_EQ(get(path_of(order) + "/history", bob.token, order.position).status, 404);
  EXPECT_EQ(on(order, "POST", "/cancel", bob.token, {{"reason", "mine now"}}).status, 404);
  EXPECT_EQ(on(order, "POST", "/return", bob.token, {{"reason", "mine now"}}).status, 404);
  EXPECT_EQ(order_of(order, ada.token), before) << "nothing of Ada's changed";
  EXPECT_EQ(order_of(order, ada.token)["status"], "Placed");
  EXPECT_EQ(history_of(order, ada.token).size(), 1u);

  const Order unknown{"ORD-" + this_year() + "-999999", ""};
  const auto admin = administrator();
  EXPECT_EQ(get(path_of(unknown), ada.token).status, 404);
  EXPECT_EQ(get(path_of(unknown), admin).status, 404);
  EXPECT_EQ(get(path_of(unknown) + "/history", admin).status, 404);
  EXPECT_EQ(on(unknown, "POST", "/cancel", ada.token, {{"reason", "x"}}).status, 404);
  EXPECT_EQ(on(unknown, "PATCH", "/status", admin, {{"status", "Processing"}}).status, 404);
  EXPECT_EQ(on(unknown, "PATCH", "/return/approve", admin).status, 404);
}

TEST_F(OrderRoutes, CustomersAreRefusedTheAdministratorRoutesAndStrangersEveryRoute) {
  auto ada = signed_up("ada@example.com");
  auto order = placed(ada);
  EXPECT_EQ(on(order, "PATCH", "/status", ada.token, {{"status", "Processing"}}).status, 403);
  EXPECT_EQ(on(order, "PATCH", "/return/approve", ada.token).status, 403);
  EXPECT_EQ(on(order, "PATCH", "/return/reject", ada.token, {{"reason", "x"}}).status, 403);
  EXPECT_EQ(send("POST", kOrders, administrator(), an_order()).status, 403)
      << "administrators place no orders";

  const std::string one = path_of(order);
  const std::tuple<const char*, std::string, json> routes[] = {
      {"POST", kOrders, an_order()},
      {"GET", kOrders, nullptr},
      {"GET", std::string(kOrders) + "/filter", nullptr},
      {"GET", std::string(kOrders) + "/search?q=widget", nullptr},
      {"GET", one, nullptr},
      {"GET", one + "/history", nullptr},
      {"PATCH", one + "/status", {{"status", "Processing"}}},
      {"POST", one + "/cancel", {{"reason", "x"}}},
      {"POST", one + "/return", {{"reason", "x"}}},
      {"PATCH", one + "/return/approve", json::object()},
      {"PATCH", one + "/return/reject", {{"reason", "x"}}}};
  for (const auto& [method, path, body] : routes) {
    EXPECT_EQ(send(method, path, "", body).status, 401) << method << " " << path;
  }
  EXPECT_EQ(order_of(order, ada.token)["status"], "Placed")
      << "the refused requests changed nothing";
  EXPECT_EQ(history_of(order, ada.token).size(), 1u);
}

// ---- listing and search ---------------------------------------------------------------------

TEST_F(OrderRoutes, CustomersListTheirOwnOrdersAndAdministratorsFilterEveryOrder) {
  auto ada = signed_up("ada@example.com");
  auto bob = signed_up("bob@example.com");
  auto a1 = placed(ada);
  const auto a2 = placed(ada);
  auto b1 = placed(bob);
  changed(a1, "POST", "/cancel", ada.token, {{"reason", "changed my mind"}});
  delivered(b1);
  changed(b1, "POST", "/return", bob.token, {{"reason", "too big"}});
  ASSERT_NO_FATAL_FAILURE(settle());
  const std::string filter = std::string(kOrders) + "/filter";

  EXPECT_EQ(listed(kOrders, ada.token), (Ids{a2.id, a1.id})) << "newest first";
  EXPECT_EQ(listed(filter, ada.token), (Ids{a2.id, a1.id}));
  EXPECT_EQ(listed(kOrders, bob.token), Ids{b1.id});
  EXPECT_EQ(listed(filter + "?status=Cancelled", ada.token), Ids{a1.id});
  EXPECT_EQ(listed(filter + "?status=Cancelled", bob.token), Ids{});
  EXPECT_EQ(refusal(get(std::string(kOrders) + "?customerId=" + ada.id, ada.token)),
            "400 customerId")
      << "even its own id";

  const auto admin = administrator();
  EXPECT_EQ(listed(kOrders, admin), (Ids{b1.id, a2.id, a1.id}));
  EXPECT_EQ(listed(filter + "?customerId=" + ada.id, admin), (Ids{a2.id, a1.id}));
  EXPECT_EQ(listed(filter + "?status=Cancelled", admin), Ids{a1.id});
  EXPECT_EQ(listed(filter + "?status=Placed", admin), Ids{a2.id});
  EXPECT_EQ(listed(filter + "?status=Return%20Requested", admin), Ids{b1.id});
  EXPECT_EQ(listed(filter + "?status=Return%20Requested&customerId=" + ada.id, admin), Ids{});

  auto page = get(kOrders, ada.token).json()["data"];
  ASSERT_EQ(page["orders"].size(), 2u);
  EXPECT_EQ(page["orders"][0], order_of(a2, ada.token)) << "a listing holds whole orders";
  EXPECT_EQ(page["pagination"]["itemsPerPage"], 20);
}

TEST_F(OrderRoutes, PagesWalkEveryOrderOnceAndAscendingReversesThem) {
  auto ada = signed_up("ada@example.com");
  Ids oldest_first;
  for (int i = 0; i < 5; ++i) {
    oldest_first.push_back(placed(ada).id);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // each its own millisecond
  }
  ASSERT_NO_FATAL_FAILURE(settle());
  const Ids newest_first(oldest_first.rbegin(), oldest_first.rend());
  EXPECT_EQ(listed(std::string(kOrders) + "?limit=100", ada.token), newest_first);
  EXPECT_EQ(listed(std::string(kOrders) + "?sortOrder=asc", ada.token), oldest_first);

  Ids by_page;
  for (int page = 1; page <= 3; ++page) {
    const auto answer =
        get(std::string(kOrders) + "?limit=2&page=" + std::to_string(page), ada.token);
    const auto ids = ids_of(answer);
    by_page.insert(by_page.end(), ids.begin(), ids.end());
    auto pagination = answer.json()["data"]["pagination"];
    EXPECT_EQ(pagination["currentPage"], page);
    EXPECT_EQ(pagination["itemsPerPage"], 2);
    EXPECT_EQ(pagination["hasNextPage"], page < 3);
    EXPECT_EQ(pagination["hasPreviousPage"], page > 1);
  }
  EXPECT_EQ(by_page, newest_first);

  Ids by_cursor;
  std::string cursor;
  for (int page = 1; page <= 5; ++page) {
    const auto answer = get(std::string(kOrders) + "?sortOrder=asc&limit=2" +
                                (cursor.empty() ? "" : "&cursor=" + percent_encoded(cursor)),
                            ada.token);
    const auto ids = ids_of(answer);
    by_cursor.insert(by_cursor.end(), ids.begin(), ids.end());
    auto pagination = answer.json()["data"]["pagination"];
    EXPECT_EQ(pagination.contains("currentPage"), cursor.empty())
        << "a cursor does not say which page it is";
    if (!pagination["nextCursor"].is_string()) break;
    cursor = pagination["nextCursor"].get<std::string>();
  }
  EXPECT_EQ(by_cursor, oldest_first) << "each order once, none skipped";

  const auto third = order_of({oldest_first[2], ""}, ada.token).value("orderDate", "");
  const auto since = "?sortOrder=asc&placedAfter=" + percent_encoded(third);
  EXPECT_EQ(listed(kOrders + since, ada.token), Ids(oldest_first.begin() + 2, oldest_first.end()))
      << "placedAfter is inclusive";
  EXPECT_EQ(listed(std::string(kOrders) + "?sortOrder=asc&placedBefore=" + percent_encoded(third),
                   ada.token),
            Ids(oldest_first.begin(), oldest_first.begin() + 2));
  EXPECT_EQ(listed(std::string(kOrders) + "?placedAfter=" + date_of(today()), ada.token),
            newest_first);
  EXPECT_EQ(listed(std::string(kOrders) + "?placedAfter=" + date_of(today() + std::chrono::days{1}),
                   ada.token),
            Ids{});
}

TEST_F(OrderRoutes, BadListAndSearchQueriesAre400NamingTheParameter) {
  auto ada = signed_up("ada@example.com");
  const std::string list = kOrders;
  const std::string search = list + "/search";
  const std::pair<std::string, const char*> cases[] = {
      {list + "?limit=0", "limit"},
      {list + "?limit=101", "limit"},
      {list + "?page=0", "page"},
      {list + "?page=1001", "page"},
      {list + "?sortOrder=sideways", "sortOrder"},
      {list + "?status=Lost", "status"},
      {list + "/filter?placedAfter=yesterday", "placedAfter"},
      {list + "/filter?placedBefore=2026-13-40", "placedBefore"},
      {list + "?customerId=" + ada.id, "customerId"},
      {list + "?verbose=1", ""},
      {search, "q"},
      {search + "?q=", "q"},
      {search + "?q=" + std::string(101, 'a'), "q"},
      {search + "?q=widget&limit=0", "limit"},
      {search + "?q=widget&limit=51", "limit"}};
  for (const auto& [path, field] : cases) {
    const auto answer = get(path, ada.token);
    EXPECT_EQ(answer.status, 400) << path << ": " << answer.body;
    if (*field) {
      EXPECT_TRUE(fields_of(answer).contains(field)) << path << ": " << answer.body;
    }
  }
  const auto both = get(list + "?page=2&cursor=abc", administrator());
  EXPECT_EQ(both.status, 400) << "a page or a cursor, not both: " << both.body;
  EXPECT_EQ(get(list + "?cursor=not-a-cursor", administrator()).status, 400);
}

TEST_F(OrderRoutes, SearchFindsOrdersByIdPrefixAndProductWordsOfTheCallerOnly) {
  auto ada = signed_up("ada@example.com");
  auto bob = signed_up("bob@example.com");
  const auto a1 = placed(ada);  // Blue Widget, Red Gadget
  const auto a2 = placed(ada, an_order(json::array({line("SKU-3", "Green Teapot", 1, 2000)})));
  const auto b1 = placed(bob, an_order(json::array({line("SKU-4", "Blue Gizmo", 3, 100)})));
  ASSERT_NO_FATAL_FAILURE(settle());
  const auto found = [&](const std::string& q, const std::string& token,
                         const std::string& more = "") {
    return listed(std::string(kOrders) + "/search?q=" + percent_encoded(q) + more, token);
  };

  EXPECT_EQ(found("blue", ada.token), Ids{a1.id});
  EXPECT_EQ(found("BLU", ada.token), Ids{a1.id}) << "a word's start, in any case";
  EXPECT_EQ(found("red widg", ada.token), Ids{a1.id}) << "every word, in any line";
  EXPECT_EQ(found("idget", ada.token), Ids{}) << "not the middle of a word";
  EXPECT_EQ(found("widget teapot", ada.token), Ids{}) << "no order has both";
  EXPECT_EQ(found("teapot", ada.token), Ids{a2.id});
  EXPECT_EQ(found("gizmo", ada.token), Ids{}) << "Bob's order";
  EXPECT_EQ(found("blue", bob.token), Ids{b1.id});
  EXPECT_EQ(found("blue", administrator()), (Ids{b1.id, a1.id})) << "highest id first";

  const auto year = "ORD-" + this_year();
  EXPECT_EQ(found(a1.id, ada.token), Ids{a1.id});
  EXPECT_EQ(found(year + "-00000", ada.token), (Ids{a2.id, a1.id}));
  EXPECT_EQ(found(b1.id, ada.token), Ids{}) << "Bob's order";
  EXPECT_EQ(found(year, administrator()), (Ids{b1.id, a2.id, a1.id}));
  EXPECT_EQ(found(year, administrator(), "&limit=2"), (Ids{b1.id, a2.id}));
}

TEST_F(OrderRoutes, TheAnalyticsCountOrdersByStatusAndTheDaysRevenueWithoutCancelledOnes) {
  auto ada = signed_up("ada@example.com");
  auto kept = placed(ada);
  auto cancelled = placed(ada);
  changed(cancelled, "POST", "/cancel", ada.token, {{"reason", "ordered twice"}});
  const auto day = read(kept, ada.token)["orderDate"].get<std::string>().substr(0, 10);

  const auto answer = get("/api/v1/customers/analytics", administrator(), cancelled.position);
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto data = answer.json()["data"];
  EXPECT_EQ(data["ordersByStatus"], (json{{"Placed", 1}, {"Cancelled", 1}}));
  EXPECT_EQ(data["revenueByDay"],
            (json::array({{{"date", day}, {"orders", 2}, {"revenue", {{"EUR", 2999}}}}})));
  EXPECT_EQ(data["complaintsByCategory"], json::object());
  EXPECT_TRUE(data["meanTimeToResolveHours"].is_null());
}

TEST_F(OrderRoutes, ACustomerWithAnActiveOrderIsDeletedOnlyOnceItIsSettled) {
  auto ada = signed_up("ada@example.com");
  auto first = placed(ada);
  auto second = placed(ada);
  const auto admin = administrator();
  const auto remove = [&](const std::string& position) {
    return send("DELETE", "/api/v1/customers/" + ada.id, admin, nullptr,
                {"X-Clientele-Position: " + position});
  };

  const auto refused = remove(second.position);
  EXPECT_EQ(refusal(refused), "400 orders") << refused.body;
  EXPECT_NE(refused.body.find(first.id), std::string::npos) << "names the orders";
  EXPECT_NE(refused.body.find(second.id), std::string::npos);
  EXPECT_EQ(get("/api/v1/customers/" + ada.id, admin).json()["data"]["status"], "Active");

  changed(first, "POST", "/cancel", ada.token, {{"reason", "not needed"}});
  delivered(second);
  const auto removed = remove(second.position);
  EXPECT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(removed.json()["data"]["status"], "Inactive");
}

TEST_F(OrderRoutes, AnAdministratorChangesAnOrderStraightAfterItsPlacementByIdAlone) {
  auto ada = signed_up("ada@example.com");
  const auto answer = send("POST", kOrders, ada.token, an_order());
  ASSERT_EQ(answer.status, 201) << answer.body;
  const auto id = answer.json()["data"].value("orderId", "");
  // No X-Clientele-Position: the write side knows the order's customer at once.
  const auto moved = send("PATCH", std::string(kOrders) + "/" + id + "/status", administrator(),
                          {{"status", "Processing"}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json()["data"]["status"], "Processing");
  EXPECT_EQ(refusal(send("PATCH", std::string(kOrders) + "/ORD-2026-999999/status", administrator(),
                         {{"status", "Processing"}})),
            "404 orderId");
}

}  // namespace
}  // namespace clientele::testing
