// The commerce analytics read model: orders by status as they move, the revenue of each day
// without cancelled and returned orders (per currency, added up over partitions), complaints by
// category and the mean time from (re)opening to resolution.

#include "projections/commerce_analytics.hpp"

#include <gtest/gtest.h>

#include "events/json.hpp"
#include "tests/projections/read_model_fixture.hpp"

namespace clientele::projections {
namespace {

using namespace std::chrono_literals;

const Actor kAdmin{UserId("ADM_0042"), Role::Administrator};
const std::chrono::sys_days kMarch1 = std::chrono::year{2026} / 3 / 1;
const Date kMarch1Date = std::chrono::year{2026} / 3 / 1;

class CommerceAnalyticsTest : public ReadModelTest {
 protected:
  // Places order `number` of `customer` at `at`, for `amount` minor units of `currency`.
  OrderId place(const CustomerId& customer, int number, Timestamp at, order::Money amount,
                const std::string& currency = "EUR") {
    const auto id = order::make_order_id(2026, static_cast<std::uint64_t>(number));
    const order::Placed placed{
        id,
        customer,
        {order::Item{ProductId("SKU-1"), "Kettle", 1, amount, amount}},
        currency,
        amount,
        PostalAddress{"Ada Recipient", "", "Street 1", "", "Berlin", "", "10115", "DE"}};
    writer_->append(customer, events::stream_name(id), events::encode(order::Event{placed}),
                    Actor{UserId(customer.str()), Role::Customer}, at);
    return id;
  }

  void order_event(const CustomerId& customer, const OrderId& id, const order::Event& event,
                   Timestamp at) {
    writer_->append(customer, events::stream_name(id), events::encode(event), kAdmin, at);
  }

  void complaint_event(const CustomerId& customer, const std::string& id,
                       const complaint::Event& event, Timestamp at) {
    writer_->append(customer, events::stream_name(ComplaintId(id)), events::encode(event), kAdmin,
                    at);
  }

  void register_complaint(const CustomerId& customer, const std::string& id,
                          complaint::Category category, Timestamp at) {
    complaint_event(customer, id,
                    complaint::Registered{ComplaintId(id), customer, category, "A subject",
                                          "A description of it", std::nullopt},
                    at);
  }

  CommerceOverview overview(Date from = kMarch1Date, Date to = kMarch1Date) {
    catch_up({&model_});
    auto o = model_.overview(*store_->snapshot(), model_.ns(), from, to);
    EXPECT_TRUE(o.ok()) << o.error().message;
    return o.ok() ? *o : CommerceOverview{};
  }

  CommerceAnalytics model_;
};

using Counts = std::map<std::string, std::int64_t>;

TEST_F(CommerceAnalyticsTest, OrdersAreCountedByTheStatusTheyAreIn) {
  const auto first = place(kAda, 1, kMarch1 + 1h, 1000);
  const auto second = place(kBob, 2, kMarch1 + 2h, 2000);
  place(kBob, 3, kMarch1 + 3h, 3000);
  EXPECT_EQ(overview().orders_by_status, (Counts{{"Placed", 3}}));

  order_event(kAda, first,
              order::StatusChanged{order::Status::Placed, order::Status::Processing, "", kMarch1},
              kMarch1 + 4h);
  order_event(kBob, second, order::Cancelled{"changed my mind"}, kMarch1 + 4h);
  EXPECT_EQ(overview().orders_by_status,
            (Counts{{"Placed", 1}, {"Processing", 1}, {"Cancelled", 1}}));
}

TEST_F(CommerceAnalyticsTest, TheRevenueOfADayLeavesOutCancelledAndReturnedOrders) {
  place(kAda, 1, kMarch1 + 1h, 1000);
  const auto cancelled = place(kBob, 2, kMarch1 + 2h, 2000);
  const auto returned = place(kAda, 3, kMarch1 + 3h, 4000);
  place(kBob, 4, kMarch1 + 4h, 500, "GBP");
  place(kAda, 5, kMarch1 + 24h + 1h, 700);  // the next day
  order_event(kBob, cancelled, order::Cancelled{"changed my mind"}, kMarch1 + 5h);
  for (const auto to :
       {order::Status::Processing, order::Status::Shipped, order::Status::Delivered}) {
    order_event(kAda, returned, order::StatusChanged{order::Status::Placed, to, "", kMarch1},
                kMarch1 + 6h);
  }
  order_event(kAda, returned, order::ReturnRequested{"broken"}, kMarch1 + 7h);
  order_event(kAda, returned, order::ReturnApproved{""}, kMarch1 + 8h);
  const auto march1 = overview();
  ASSERT_EQ(march1.revenue_by_day.size(), 1u);
  EXPECT_EQ(march1.revenue_by_day[0].day, kMarch1Date);
  EXPECT_EQ(march1.revenue_by_day[0].orders, 4);
  EXPECT_EQ(march1.revenue_by_day[0].revenue, (Counts{{"EUR", 5000}, {"GBP", 500}}))
      << "a return approved but not back yet still counts";

  order_event(kAda, returned, order::Returned{}, kMarch1 + 48h);
  const auto two_days = overview(kMarch1Date, std::chrono::year{2026} / 3 / 2);
  ASSERT_EQ(two_days.revenue_by_day.size(), 2u);
  EXPECT_EQ(two_days.revenue_by_day[0].revenue, (Counts{{"EUR", 1000}, {"GBP", 500}}))
      << "the returned order leaves the day it was placed";
  EXPECT_EQ(two_days.revenue_by_day[1].orders, 1);
  EXPECT_EQ(two_days.revenue_by_day[1].revenue, (Counts{{"EUR", 700}}));
  EXPECT_EQ(two_days.orders_by_status, (Counts{{"Placed", 3}, {"Cancelled", 1}, {"Returned", 1}}));
}

TEST_F(CommerceAnalyticsTest, ComplaintsAreCountedByCategoryAndTimedFromOpeningToResolution) {
  EXPECT_FALSE(overview().mean_hours_to_resolve.has_value());
  register_complaint(kAda, "CMP_1", complaint::Category::DeliveryIssue, kMarch1);
  register_complaint(kBob, "CMP_2", complaint::Category::DeliveryIssue, kMarch1);
  register_complaint(kBob, "CMP_3", complaint::Category::PaymentIssue, kMarch1);
  complaint_event(kAda, "CMP_1", complaint::Resolved{"refunded"}, kMarch1 + 2h);
  complaint_event(kBob, "CMP_2", complaint::Resolved{"resent"}, kMarch1 + 4h);
  auto o = overview();
  EXPECT_EQ(o.complaints_by_category, (Counts{{"Delivery Issue", 2}, {"Payment Issue", 1}}));
  EXPECT_EQ(o.resolutions, 2);
  EXPECT_DOUBLE_EQ(o.mean_hours_to_resolve.value_or(0), 3.0);

  // Reopened at +10h and resolved again at +16h: a third resolution of 6 hours.
  complaint_event(kAda, "CMP_1", complaint::Reopened{"still broken"}, kMarch1 + 10h);
  complaint_event(kAda, "CMP_1", complaint::Resolved{"replaced"}, kMarch1 + 16h);
  o = overview();
  EXPECT_EQ(o.resolutions, 3);
  EXPECT_DOUBLE_EQ(o.mean_hours_to_resolve.value_or(0), 4.0);
  EXPECT_EQ(o.complaints_by_category, (Counts{{"Delivery Issue", 2}, {"Payment Issue", 1}}))
      << "reopening counts no new complaint";
}

}  // namespace
}  // namespace clientele::projections
