// The orders read model: orders by id with their history, by customer and by status and date in
// pages that seek on index keys, search by id prefix and product-name words, and erasure.

#include "projections/orders.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "commands/erasure.hpp"
#include "events/json.hpp"
#include "infra/clock.hpp"
#include "infra/uuid.hpp"
#include "tests/projections/read_model_fixture.hpp"
#include "tests/support/files.hpp"

namespace clientele::projections {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const Actor kAdmin{UserId("ADM_0042"), Role::Administrator};
const Timestamp kMarch1 = std::chrono::sys_days{std::chrono::year{2026} / 3 / 1};

class OrdersTest : public ReadModelTest {
 protected:
  // Places order `number` for `customer` at `at`, one line per product name.
  OrderId place(const CustomerId& customer, int number, Timestamp at,
                std::vector<std::string> products = {"Copper Kettle"},
                const std::string& line1 = "Street 1") {
    const auto id = order::make_order_id(2026, static_cast<std::uint64_t>(number));
    std::vector<order::Item> items;
    for (const auto& product : products) {
      items.push_back(order::Item{ProductId("SKU-" + product), product, 2, 500, 1000});
    }
    const auto total = static_cast<order::Money>(items.size()) * 1000;
    const order::Placed placed{
        id,    customer,
        items, "EUR",
        total, PostalAddress{"Ada Recipient", "", line1, "", "Berlin", "", "10115", "DE"}};
    writer_->append(customer, events::stream_name(id), events::encode(order::Event{placed}),
                    Actor{UserId(customer.str()), Role::Customer}, at);
    return id;
  }

  void apply(const CustomerId& customer, const OrderId& id, const order::Event& event,
             Timestamp at) {
    writer_->append(customer, events::stream_name(id), events::encode(event), kAdmin, at);
  }

  void fold() { catch_up({&orders_}); }

  json find(const OrderId& id) {
    auto found = orders_.find(*store_->snapshot(), orders_.ns(), id);
    EXPECT_TRUE(found.ok()) << found.error().message;
    return found.ok() && *found ? **found : json();
  }

  std::vector<std::string> ids(const std::vector<json>& orders) {
    std::vector<std::string> out;
    for (const auto& o : orders) out.push_back(o["orderId"].get<std::string>());
    return out;
  }

  OrderPage list(const OrderQuery& query) {
    auto page = orders_.list(*store_->snapshot(), orders_.ns(), query);
    EXPECT_TRUE(page.ok()) << page.error().message;
    return page.ok() ? *page : OrderPage{};
  }

  // The ids of every page of `query`, followed by cursors.
  std::vector<std::string> all_pages(OrderQuery query) {
    std::vector<std::string> out;
    for (int pages = 0; pages < 100; ++pages) {
      const auto page = list(query);
      for (const auto& id : ids(page.orders)) out.push_back(id);
      if (page.next.empty()) break;
      query.page.after = page.next;
    }
    return out;
  }

  std::vector<std::string> search(std::string_view text,
                                  const std::optional<CustomerId>& customer = std::nullopt) {
    auto found = orders_.search(*store_->snapshot(), orders_.ns(), text, customer, 10);
    EXPECT_TRUE(found.ok()) << found.error().message;
    return found.ok() ? ids(*found) : std::vector<std::string>();
  }

  Orders orders_;
};

TEST_F(OrdersTest, AnOrderIsFoundByIdWithItsAddressAndEveryStatusChangeInItsHistory) {
  const auto id = place(kAda, 1, kMarch1);
  apply(kAda, id,
        order::StatusChanged{order::Status::Placed, order::Status::Processing, "packed",
                             kMarch1 + 1h},
        kMarch1 + 1h);
  apply(kAda, id, order::Cancelled{"ordered twice"}, kMarch1 + 2h);
  fold();

  const auto doc = find(id);
  ASSERT_FALSE(doc.is_null());
  EXPECT_EQ(doc["customerId"], kAda.str());
  EXPECT_EQ(doc["items"].size(), 1u);
  EXPECT_EQ(doc["items"][0]["totalPrice"], 1000);
  EXPECT_EQ(doc["currency"], "EUR");
  EXPECT_EQ(doc["totalAmount"], 1000);
  EXPECT_EQ(doc["status"], "Cancelled");
  EXPECT_EQ(doc["cancellationReason"], "ordered twice");
  EXPECT_EQ(doc["deliveryAddress"]["addressLine1"], "Street 1");
  EXPECT_EQ(doc["placedAt"], json(kMarch1));
  EXPECT_EQ(doc["updatedAt"], json(kMarch1 + 2h));
  EXPECT_EQ(doc["version"], 3);
  EXPECT_TRUE(find(OrderId("ORD-2026-000404")).is_null());

  const auto history = orders_.history(*store_->snapshot(), orders_.ns(), id).value();
  ASSERT_EQ(history.size(), 3u);
  EXPECT_TRUE(history[0]["from"].is_null());
  EXPECT_EQ(history[0]["to"], "Placed");
  EXPECT_EQ(history[0]["actor"], json({{"id", kAda.str()}, {"role", "Customer"}}));
  EXPECT_EQ(history[1]["from"], "Placed");
  EXPECT_EQ(history[1]["to"], "Processing");
  EXPECT_EQ(history[1]["notes"], "packed");
  EXPECT_EQ(history[1]["actor"], json({{"id", "ADM_0042"}, {"role", "Administrator"}}));
  EXPECT_EQ(history[1]["at"], json(kMarch1 + 1h));
  EXPECT_EQ(history[2]["event"], "order.cancelled");
  EXPECT_EQ(history[2]["to"], "Cancelled");
  EXPECT_EQ(history[2]["notes"], "ordered twice");
}

TEST_F(OrdersTest, ACustomersOrdersComeNewestFirstInPagesThatSeek) {
  for (int i = 1; i <= 5; ++i) place(kAda, i, kMarch1 + std::chrono::hours(i));
  place(kBob, 6, kMarch1);
  fold();

  OrderQuery query;
  query.customer = kAda;
  query.page.limit = 2;
  const auto first = list(query);
  EXPECT_EQ(ids(first.orders), (std::vector<std::string>{"ORD-2026-000005", "ORD-2026-000004"}));
  ASSERT_FALSE(first.next.empty());
  EXPECT_EQ(all_pages(query),
            (std::vector<std::string>{"ORD-2026-000005", "ORD-2026-000004", "ORD-2026-000003",
                                      "ORD-2026-000002", "ORD-2026-000001"}));
  query.page.descending = false;
  EXPECT_EQ(all_pages(query).front(), "ORD-2026-000001");

  query.page.after = "bm90IGEgY3Vyc29y";
  auto bad = orders_.list(*store_->snapshot(), orders_.ns(), query);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, errc::invalid);
  EXPECT_EQ(bad.error().field, "after");
}

TEST_F(OrdersTest, AdministratorsFilterByStatusCustomerAndPlacementDate) {
  const auto a1 = place(kAda, 1, kMarch1);
  const auto a2 = place(kAda, 2, kMarch1 + 24h);
  const auto b3 = place(kBob, 3, kMarch1 + 48h);
  const auto b4 = place(kBob, 4, kMarch1 + 72h);
  apply(kAda, a2, order::Cancelled{"no longer needed"}, kMarch1 + 25h);
  apply(kBob, b4, order::Cancelled{"found it cheaper"}, kMarch1 + 73h);
  fold();

  OrderQuery query;
  EXPECT_EQ(all_pages(query), (std::vector<std::string>{b4.str(), b3.str(), a2.str(), a1.str()}));
  query.status = "Cancelled";
  EXPECT_EQ(all_pages(query), (std::vector<std::string>{b4.str(), a2.str()}));
  query.customer = kAda;
  EXPECT_EQ(all_pages(query), (std::vector<std::string>{a2.str()}));
  query.status = "Placed";
  EXPECT_EQ(all_pages(query), (std::vector<std::string>{a1.str()}));

  OrderQuery dates;
  dates.placed_after = kMarch1 + 24h;
  dates.placed_before = kMarch1 + 72h;
  EXPECT_EQ(all_pages(dates), (std::vector<std::string>{b3.str(), a2.str()}));
  dates.status = "Placed";
  EXPECT_EQ(all_pages(dates), (std::vector<std::string>{b3.str()}));
}

TEST_F(OrdersTest, SearchFindsOrdersByIdPrefixAndByTheBeginningsOfProductNameWords) {
  place(kAda, 1, kMarch1, {"Copper Kettle"});
  place(kAda, 2, kMarch1 + 1h, {"Tea Towel", "Stainless Kettle"});
  place(kBob, 13, kMarch1 + 2h, {"Copper Pan"});
  fold();

  EXPECT_EQ(search("ord-2026-00001"), (std::vector<std::string>{"ORD-2026-000013"}));
  EXPECT_EQ(search("ORD-2026-0000"),
            (std::vector<std::string>{"ORD-2026-000013", "ORD-2026-000002", "ORD-2026-000001"}));
  EXPECT_EQ(search("ORD-2026-0000", kAda),
            (std::vector<std::string>{"ORD-2026-000002", "ORD-2026-000001"}));
  EXPECT_EQ(search("kett"), (std::vector<std::string>{"ORD-2026-000002", "ORD-2026-000001"}));
  EXPECT_EQ(search("COPPER"), (std::vector<std::string>{"ORD-2026-000013", "ORD-2026-000001"}));
  EXPECT_EQ(search("copper kettle"), (std::vector<std::string>{"ORD-2026-000001"}));
  EXPECT_EQ(search("copper", kBob), (std::vector<std::string>{"ORD-2026-000013"}));
  EXPECT_TRUE(search("ettle").empty()) << "words match from their beginning";
  EXPECT_TRUE(search("  ").empty());
}

TEST_F(OrdersTest, ErasureTakesEveryPersonalValueOfTheOrdersAwayAndKeepsTheFigures) {
  const std::string marker = "Qx9ZmarkOrd";
  writer_->append(kAda, registration(kAda, marker));
  const auto id = place(kAda, 1, kMarch1, {"Copper Kettle"}, marker + " Street 1");
  apply(kAda, id,
        order::StatusChanged{order::Status::Placed, order::Status::Processing, marker + " note",
                             kMarch1 + 1h},
        kMarch1 + 1h);
  apply(kAda, id, order::Cancelled{marker + " reason"}, kMarch1 + 2h);
  const auto bobs = place(kBob, 2, kMarch1, {"Copper Pan"}, "Bob Street 2");
  fold();
  const std::vector<std::filesystem::path> views{dir_.path() / "views"};
  ASSERT_TRUE(store_->compact().ok());
  ASSERT_FALSE(testing::files_containing(views, marker + " Street 1").empty())
      << "the scan cannot see the address";
  ASSERT_FALSE(testing::files_containing(views, marker + " reason").empty())
      << "the scan cannot see the reason";

  commands::ErasureService erasure(*log_, *keys_, infra::utc_now, infra::uuid_v7);
  auto receipt = erasure.erase({kAda, "gdpr-art17", "GDPR Art. 17(1)(a)", "ADM_0042"}, kAdmin);
  ASSERT_TRUE(receipt.ok()) << receipt.error().message;
  fold();

  const auto doc = find(id);
  EXPECT_EQ(doc["orderId"], id.str());
  EXPECT_EQ(doc["totalAmount"], 1000);
  EXPECT_EQ(doc["currency"], "EUR");
  EXPECT_EQ(doc["status"], "Cancelled");
  EXPECT_EQ(doc["placedAt"], json(kMarch1));
  EXPECT_EQ(doc["deliveryAddress"], json({{"country", "DE"}}));
  EXPECT_TRUE(doc["cancellationReason"].is_null());
  const auto history = orders_.history(*store_->snapshot(), orders_.ns(), id).value();
  ASSERT_EQ(history.size(), 3u);
  for (const auto& entry : history) EXPECT_TRUE(entry["notes"].is_null()) << entry.dump();
  EXPECT_EQ(history[2]["to"], "Cancelled");
  EXPECT_EQ(find(bobs)["deliveryAddress"]["addressLine1"], "Bob Street 2");

  ASSERT_TRUE(store_->compact().ok());
  const auto left = testing::files_containing(views, marker);
  EXPECT_TRUE(left.empty()) << "a personal value is still in " << left.front();

  // A rebuild after the key is gone gives the same documents.
  const auto live = doc;
  store_.reset();
  std::filesystem::remove_all(views.front());
  open_store();
  fold();
  EXPECT_EQ(find(id), live);
}

}  // namespace
}  // namespace clientele::projections
