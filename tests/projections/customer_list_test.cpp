// The customer list and customer statistics: filters, sorts and pages that seek on index keys.

#include "projections/customer_list.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <thread>

#include "tests/projections/read_model_fixture.hpp"

namespace clientele::projections {
namespace {

CustomerId customer_number(int n) {
  return CustomerId(fmt::format("CUST_{:08x}", 0x100 + n));
}

class CustomerListTest : public ReadModelTest {
 protected:
  // Registers `n` customers, in Berlin (DE) or Lyon (FR) by turns; customer i places i orders of
  // 1000 minor units each.
  void register_customers(int n) {
    for (int i = 0; i < n; ++i) {
      const auto id = customer_number(i);
      writer_->append(id, registration(id, fmt::format("c{}", i)));
      auto added = address("ADDR-1", "x");
      added.postal.city = i % 2 == 0 ? "Berlin" : "Lyon";
      added.postal.country = i % 2 == 0 ? "DE" : "FR";
      writer_->append(id, added);
      for (int k = 0; k < i; ++k) place_order(id, fmt::format("ORD-2026-{:03d}{:03d}", i, k), 1000);
    }
  }

  events::Position place_order(const CustomerId& id, const std::string& order_id,
                               order::Money amount) {
    const order::Placed placed{OrderId(order_id),
                               id,
                               {order::Item{ProductId("SKU-1"), "Kettle", 1, amount, amount}},
                               "EUR",
                               amount,
                               address("A", "x").postal};
    return writer_->append(id, events::stream_name(OrderId(order_id)),
                           events::encode(order::Event{placed}));
  }

  ListPage list(const ListQuery& query) {
    auto page = list_.list(*store_->snapshot(), list_.ns(), query);
    EXPECT_TRUE(page.ok()) << page.error().message;
    return page.ok() ? *page : ListPage{};
  }

  // Every page of `query`, followed by cursors.
  std::vector<CustomerId> all_pages(ListQuery query) {
    std::vector<CustomerId> out;
    for (int pages = 0; pages < 100; ++pages) {
      const auto page = list(query);
      out.insert(out.end(), page.customers.begin(), page.customers.end());
      if (page.next.empty()) break;
      query.after = page.next;
    }
    return out;
  }
};

TEST_F(CustomerListTest, SortsByTotalOrderValueAcrossPagesWithoutLosingOrRepeatingAnyone) {
  register_customers(9);
  catch_up(models());
  ListQuery query;
  query.sort = ListSort::TotalOrderValue;
  query.limit = 2;
  const auto descending = all_pages(query);
  ASSERT_EQ(descending.size(), 9u);
  for (int i = 0; i < 9; ++i)
    EXPECT_EQ(descending[static_cast<std::size_t>(i)], customer_number(8 - i));
  query.descending = false;
  const auto ascending = all_pages(query);
  ASSERT_EQ(ascending.size(), 9u);
  EXPECT_EQ(ascending.front(), customer_number(0));
  EXPECT_EQ(ascending.back(), customer_number(8));
}

TEST_F(CustomerListTest, FiltersByCountryCityStatusTypeAndTagsTogether) {
  register_customers(6);
  writer_->append(customer_number(2), customer::TagsChanged{{"wholesale", "vip-lounge"}});
  writer_->append(customer_number(4), customer::TagsChanged{{"wholesale"}});
  writer_->append(customer_number(4),
                  customer::TypeChanged{customer::Type::Regular, customer::Type::VIP});
  writer_->append(customer_number(0), customer::StatusChanged{customer::Status::Active,
                                                              customer::Status::Suspended, "x"});
  catch_up(models());

  ListQuery berlin;
  berlin.city = "BERLIN";
  berlin.descending = false;
  EXPECT_EQ(all_pages(berlin),
            (std::vector{customer_number(0), customer_number(2), customer_number(4)}));
  ListQuery france;
  france.country = "FR";
  EXPECT_EQ(all_pages(france).size(), 3u);
  ListQuery wholesale_vip;
  wholesale_vip.tags = {"Wholesale"};
  wholesale_vip.type = "VIP";
  EXPECT_EQ(all_pages(wholesale_vip), std::vector{customer_number(4)});
  ListQuery suspended_in_berlin;
  suspended_in_berlin.status = "Suspended";
  suspended_in_berlin.city = "berlin";
  EXPECT_EQ(all_pages(suspended_in_berlin), std::vector{customer_number(0)});
  ListQuery nowhere;
  nowhere.city = "Paris";
  EXPECT_TRUE(all_pages(nowhere).empty());
}

TEST_F(CustomerListTest, FiltersByCreationTimeAndMovesWithTheDefaultAddress) {
  register_customers(2);
  // Times have millisecond precision, and a range's start is inclusive: the cut falls in a
  // millisecond of its own.
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto cut = infra::utc_now();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto late = customer_number(7);
  writer_->append(late, registration(late, "late"));
  auto paris = address("ADDR-2", "p");
  paris.postal.city = "Paris";
  paris.postal.country = "FR";
  writer_->append(customer_number(0), paris);
  writer_->append(customer_number(0), customer::DefaultAddressSet{AddressId("ADDR-2")});
  catch_up(models());

  ListQuery recent;
  recent.created_after = cut;
  EXPECT_EQ(all_pages(recent), std::vector{late});
  ListQuery earlier;
  earlier.created_before = cut;
  earlier.sort = ListSort::TotalOrders;
  EXPECT_EQ(all_pages(earlier).size(), 2u);
  ListQuery in_paris;
  in_paris.city = "Paris";
  EXPECT_EQ(all_pages(in_paris), std::vector{customer_number(0)});
  ListQuery in_berlin;
  in_berlin.city = "Berlin";
  EXPECT_TRUE(all_pages(in_berlin).empty()) << "the old address still places the customer";
}

TEST_F(CustomerListTest, StatisticsCountOrdersComplaintsAndLogins) {
  writer_->append(kAda, registration(kAda, "ada"));
  place_order(kAda, "ORD-2026-000001", 2500);
  place_order(kAda, "ORD-2026-000002", 1000);
  writer_->append(kAda, events::stream_name(OrderId("ORD-2026-000002")),
                  events::encode(order::Event{order::Cancelled{"changed my mind"}}));
  const ComplaintId complaint("CMP-1");
  writer_->append(kAda, events::stream_name(complaint),
                  events::encode(complaint::Event{
                      complaint::Registered{complaint, kAda, complaint::Category::DeliveryIssue,
                                            "late", "very late", std::nullopt}}));
  writer_->append(kAda, customer::LoggedIn{});
  catch_up(models());

  auto stats = list_.statistics(*store_->snapshot(), list_.ns(), kAda);
  ASSERT_TRUE(stats.ok());
  ASSERT_TRUE(stats->has_value());
  EXPECT_EQ((*stats)->total_orders, 2);
  EXPECT_EQ((*stats)->total_order_value, 2500) << "a cancelled order is worth nothing";
  EXPECT_EQ((*stats)->total_complaints, 1);
  EXPECT_EQ((*stats)->open_complaints, 1);
  EXPECT_TRUE((*stats)->last_order_date.has_value());
  EXPECT_EQ((*stats)->login_count, 1);
  EXPECT_FALSE(list_.statistics(*store_->snapshot(), list_.ns(), kBob).value().has_value());

  writer_->append(kAda, events::stream_name(complaint),
                  events::encode(complaint::Event{complaint::Resolved{"refunded"}}));
  catch_up(models());
  EXPECT_EQ(list_.statistics(*store_->snapshot(), list_.ns(), kAda).value()->open_complaints, 0);
}

TEST_F(CustomerListTest, AnErasedCustomerStaysListedWithoutCityOrTags) {
  register_customers(2);
  writer_->append(customer_number(0), customer::TagsChanged{{"wholesale"}});
  writer_->append(customer_number(0), customer::Erased{"gdpr-art17", "GDPR", "ADM_1"});
  catch_up(models());
  ListQuery in_berlin;
  in_berlin.city = "Berlin";
  EXPECT_TRUE(all_pages(in_berlin).empty());
  ListQuery wholesale;
  wholesale.tags = {"wholesale"};
  EXPECT_TRUE(all_pages(wholesale).empty());
  ListQuery erased;
  erased.status = "Erased";
  erased.country = "DE";
  EXPECT_EQ(all_pages(erased), std::vector{customer_number(0)});
}

TEST_F(CustomerListTest, ExcludedStatusesLeaveTheirCustomersOutOfEveryPage) {
  register_customers(5);
  writer_->append(customer_number(1), customer::StatusChanged{customer::Status::Active,
                                                              customer::Status::Suspended, ""});
  writer_->append(customer_number(2), customer::Erased{"gdpr-art17", "GDPR", "ADM_1"});
  catch_up(models());
  ListQuery unerased;
  unerased.excluded_statuses = {"Erased"};
  unerased.limit = 1;
  EXPECT_EQ(all_pages(unerased), (std::vector{customer_number(4), customer_number(3),
                                              customer_number(1), customer_number(0)}));
  ListQuery inactive_in_france = unerased;
  inactive_in_france.excluded_statuses.push_back("Active");
  inactive_in_france.country = "FR";
  EXPECT_EQ(all_pages(inactive_in_france), std::vector{customer_number(1)});
}

TEST_F(CustomerListTest, ACursorOfAnotherListingIsRefusedNamingIt) {
  register_customers(3);
  catch_up(models());
  ListQuery by_value;
  by_value.sort = ListSort::TotalOrderValue;
  by_value.limit = 1;
  const auto first = list(by_value);
  ASSERT_FALSE(first.next.empty());
  ListQuery by_date;
  by_date.after = first.next;
  auto refused = list_.list(*store_->snapshot(), list_.ns(), by_date);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, errc::invalid);
  EXPECT_EQ(refused.error().field, "after");
  by_date.after = "not base64!";
  EXPECT_FALSE(list_.list(*store_->snapshot(), list_.ns(), by_date).ok());
}

}  // namespace
}  // namespace clientele::projections
