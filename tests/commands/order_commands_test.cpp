// The order service on the real embedded log and the real write-side store: order ids unique
// across partitions and across restarts, the customers who may order, delivery addresses, the
// transitions on the order's current state, and ownership.

#include "commands/order_commands.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "commands/identity_lookups.hpp"
#include "events/codec.hpp"
#include "events/envelope.hpp"
#include "tests/commands/write_side.hpp"

namespace clientele::commands {
namespace {

using namespace std::chrono_literals;

class OrderCommandsTest : public WriteSideTest {};

TEST_F(OrderCommandsTest, PlacingAppendsToTheOrdersStreamOnTheCustomersPartition) {
  const auto ada = must_register();
  auto placed = place(ada);
  ASSERT_TRUE(placed.ok()) << placed.error().message;
  EXPECT_EQ(placed->order_id.str(), "ORD-2026-000001");
  ASSERT_EQ(placed->outcome.positions.size(), 1u);
  EXPECT_EQ(placed->outcome.positions.front().partition, log_->partition_for(ada.str()));
  EXPECT_EQ(placed->outcome.version, 1u);

  const auto wire = store_->stream("order-ORD-2026-000001").value().at(0);
  const auto envelope = events::parse_envelope(wire).value();
  EXPECT_EQ(envelope.type, "order.placed");
  EXPECT_EQ(envelope.customer_id, ada);
  EXPECT_EQ(wire.find("Analytical"), std::string::npos) << "the delivery address is sealed";

  const auto loaded = orders_->load(ada, placed->order_id).value();
  EXPECT_EQ(loaded.version, 1u);
  EXPECT_EQ(loaded.state.status, order::Status::Placed);
  EXPECT_EQ(loaded.state.total_amount, 2500);
}

TEST_F(OrderCommandsTest, ConcurrentPlacementsAcrossPartitionsGetDistinctConsecutiveIds) {
  std::vector<CustomerId> customers;
  for (int i = 0; i < 8; ++i) customers.push_back(must_register());
  std::mutex mu;
  std::set<std::string> ids;
  std::vector<std::thread> threads;
  for (const auto& customer : customers) {
    threads.emplace_back([&, customer] {
      for (int i = 0; i < 5; ++i) {
        auto placed = place(customer);
        ASSERT_TRUE(placed.ok()) << placed.error().message;
        std::lock_guard lock(mu);
        ids.insert(placed->order_id.str());
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(ids.size(), 40u);
  EXPECT_EQ(*ids.begin(), "ORD-2026-000001");
  EXPECT_EQ(*ids.rbegin(), "ORD-2026-000040");
}

TEST_F(OrderCommandsTest, ARetryUnderTheEarlierIdAnswersThePlacedOrderAndAppendsNothing) {
  const auto ada = must_register();
  std::vector<OrderId> numbered;
  auto first = request(ada);
  first.on_numbered = [&](const OrderId& id) -> Result<void> {
    numbered.push_back(id);
    return success();
  };
  const auto placed = orders_->place(first, as_customer(ada)).value();
  ASSERT_EQ(numbered, std::vector<OrderId>{placed.order_id}) << "told before the append";

  auto retry = request(ada);
  retry.earlier_id = placed.order_id;
  const auto again = orders_->place(retry, as_customer(ada)).value();
  EXPECT_EQ(again.order_id, placed.order_id);
  EXPECT_TRUE(again.outcome.positions.empty()) << "nothing appended";
  EXPECT_EQ(again.outcome.version, 1u);
  EXPECT_EQ(store_->stream(events::stream_name(placed.order_id)).value().size(), 1u);
}

TEST_F(OrderCommandsTest, ARetryWhoseEarlierAttemptPlacedNothingPlacesUnderItsId) {
  const auto ada = must_register();
  auto retry = request(ada);
  retry.earlier_id = OrderId("ORD-2026-000005");
  const auto placed = orders_->place(retry, as_customer(ada)).value();
  EXPECT_EQ(placed.order_id.str(), "ORD-2026-000005");
  EXPECT_EQ(placed.outcome.positions.size(), 1u);
  EXPECT_EQ(must_place(ada).str(), "ORD-2026-000006") << "the id reused is not given again";

  auto failing = request(ada);
  failing.on_numbered = [](const OrderId&) -> Result<void> {
    return make_error(errc::unavailable, "", "cannot keep the id");
  };
  expect_error(orders_->place(failing, as_customer(ada)), errc::unavailable, "");
  EXPECT_TRUE(store_->stream("order-ORD-2026-000007").value().empty()) << "nothing placed";
}

TEST_F(OrderCommandsTest, AnOrdersCustomerIsKnownFromItsIdAlone) {
  const auto ada = must_register();
  const auto bob = must_register();
  const auto adas = must_place(ada);
  const auto bobs = must_place(bob);
  EXPECT_EQ(orders_->customer_of(adas).value(), ada);
  EXPECT_EQ(orders_->customer_of(bobs).value(), bob);
  expect_error(orders_->customer_of(OrderId("ORD-2026-000404")), errc::not_found, "orderId");
}

TEST_F(OrderCommandsTest, OrderNumbersContinueAfterARestart) {
  const auto ada = must_register();
  must_place(ada);
  EXPECT_EQ(must_place(ada).str(), "ORD-2026-000002");
  open_write_side();
  EXPECT_EQ(must_place(must_register()).str(), "ORD-2026-000003");
}

TEST_F(OrderCommandsTest, OrderNumbersContinueAfterTheWriteSideStoreIsRebuiltFromTheLog) {
  const auto ada = must_register();
  auto bob = must_register();
  while (log_->partition_for(bob.str()) == log_->partition_for(ada.str())) bob = must_register();
  must_place(ada);
  must_place(bob);
  close_write_side();
  std::filesystem::remove_all(dir_.path() / "commands");
  open_write_side();
  // Ada's partition has the lower number: the allocation must have seen Bob's too.
  EXPECT_EQ(must_place(ada).str(), "ORD-2026-000003");
}

TEST_F(OrderCommandsTest, EachPartitionKeepsItsOwnHighestNumberSoThatNoneIsLost) {
  // Two strands record order numbers in batches begun together; the lower one commits last.
  const auto placed = [](const char* id) {
    events::Envelope envelope;
    envelope.type = "order.placed";
    envelope.data = {{"orderId", id}};
    return envelope;
  };
  IdentityLookups first(*store_, pepper_);
  IdentityLookups second(*store_, pepper_);
  WriteModelBatch higher;
  WriteModelBatch lower;
  ASSERT_TRUE(first.record(placed("ORD-2026-000007"), events::Partition{1}, higher).ok());
  ASSERT_TRUE(second.record(placed("ORD-2026-000005"), events::Partition{2}, lower).ok());
  ASSERT_TRUE(store_->commit(higher).ok());
  ASSERT_TRUE(store_->commit(lower).ok());
  EXPECT_EQ(IdentityLookups(*store_, pepper_).last_order_number(2026).value(), 7u);
  EXPECT_EQ(IdentityLookups(*store_, pepper_).last_order_number(2027).value(), 0u);
}

TEST_F(OrderCommandsTest, ARefusedPlacementUsesNoNumber) {
  const auto ada = must_register();
  auto bad = request(ada, address());
  bad.currency = "euros";
  expect_error(orders_->place(bad, as_customer(ada)), errc::invalid, "currency");
  EXPECT_EQ(must_place(ada).str(), "ORD-2026-000001");
}

TEST_F(OrderCommandsTest, ACustomerPlacingForAnotherLearnsNothingOfThem) {
  const auto ada = must_register();
  const auto bob = must_register();
  must_run(bob, customer::ChangeStatus{customer::Status::Suspended, "fraud check"});
  // Bob is suspended, but Ada is told only what an unknown customer would tell her.
  expect_error(orders_->place(request(bob, address()), as_customer(ada)), errc::not_found,
               "customerId");
  expect_error(orders_->place(request(CustomerId("CUST_0badf00d"), address()), as_customer(ada)),
               errc::not_found, "customerId");
}

TEST_F(OrderCommandsTest, AnErasedCustomersOrdersTakeNoMoreEvents) {
  const auto ada = must_register();
  const auto order = must_place(ada);
  must_run(ada, customer::Erase{"gdpr-art17", "GDPR Art. 17", "ADM_1"});
  const auto events_before = log_->end_offset(log_->partition_for(ada.str())).value().value;
  expect_error(run(ada, order, order::Cancel{"changed my mind"}), errc::conflict, "customerId");
  expect_error(run(ada, order, order::ChangeStatus{order::Status::Processing, ""}), errc::conflict,
               "customerId");
  EXPECT_EQ(log_->end_offset(log_->partition_for(ada.str())).value().value, events_before);
}

TEST_F(OrderCommandsTest, NumbersStartAgainInANewYear) {
  const auto ada = must_register();
  must_place(ada);
  now_ = std::chrono::sys_days{std::chrono::year{2027} / 1 / 1};
  EXPECT_EQ(must_place(ada).str(), "ORD-2027-000001");
}

TEST_F(OrderCommandsTest, UnknownErasedInactiveAndSuspendedCustomersMayNotOrder) {
  expect_error(place(CustomerId("CUST_0badf00d")), errc::not_found, "customerId");

  const auto inactive = must_register();
  must_run(inactive, customer::ChangeStatus{customer::Status::Inactive, ""});
  expect_error(place(inactive), errc::conflict, "customerId");

  const auto suspended = must_register();
  must_run(suspended, customer::ChangeStatus{customer::Status::Suspended, "fraud check"});
  expect_error(place(suspended), errc::conflict, "customerId");

  const auto erased = must_register();
  must_run(erased, customer::Erase{"gdpr-art17", "GDPR Art. 17", "ADM_1"});
  expect_error(place(erased), errc::conflict, "customerId");

  must_run(suspended, customer::ChangeStatus{customer::Status::Active, ""});
  EXPECT_TRUE(place(suspended).ok());
}

TEST_F(OrderCommandsTest, TheDeliveryAddressIsCopiedFromTheCustomersOwnAddressBook) {
  const auto ada = must_register();
  const auto bob = must_register();
  must_run(ada, customer::AddAddress{AddressId("ADDR_ada"), "home", AddressKind::Home,
                                     address("12 Own Street"), true});
  must_run(bob, customer::AddAddress{AddressId("ADDR_bob"), "home", AddressKind::Home,
                                     address("9 Foreign Road"), true});

  auto own = place(ada, AddressId("ADDR_ada"));
  ASSERT_TRUE(own.ok()) << own.error().message;
  EXPECT_EQ(placed_event(own->order_id).delivery_address.line1, "12 Own Street");

  expect_error(place(ada, AddressId("ADDR_bob")), errc::not_found, "deliveryAddressId");
  expect_error(place(ada, AddressId("ADDR_none")), errc::not_found, "deliveryAddressId");

  auto given = place(ada, address("3 Inline Lane"));
  ASSERT_TRUE(given.ok()) << given.error().message;
  EXPECT_EQ(placed_event(given->order_id).delivery_address.line1, "3 Inline Lane");
}

TEST_F(OrderCommandsTest, FulfilmentMovesOneStepAtATimeAndReturnsFollowDelivery) {
  const auto ada = must_register();
  const auto order = must_place(ada);
  expect_error(run(ada, order, order::ChangeStatus{order::Status::Shipped, ""}), errc::conflict,
               "status");
  expect_error(run(ada, order, order::RequestReturn{"too early"}), errc::conflict, "status");
  must_step(ada, order, order::Status::Processing);
  must_step(ada, order, order::Status::Shipped);
  expect_error(run(ada, order, order::Cancel{"too late"}), errc::conflict, "status");
  must_step(ada, order, order::Status::Delivered);

  EXPECT_TRUE(run(ada, order, order::RequestReturn{"does not fit"}).ok());
  EXPECT_EQ(status_of(ada, order), order::Status::ReturnRequested);
  expect_error(run(ada, order, order::CompleteReturn{}), errc::conflict, "status");
  EXPECT_TRUE(run(ada, order, order::ApproveReturn{""}).ok());
  expect_error(run(ada, order, order::RejectReturn{"changed our mind"}), errc::conflict, "status");
  EXPECT_TRUE(run(ada, order, order::CompleteReturn{}).ok());
  const auto returned = orders_->load(ada, order).value();
  EXPECT_EQ(returned.state.status, order::Status::Returned);
  EXPECT_EQ(returned.version, 7u);
}

TEST_F(OrderCommandsTest, AnOrderIsCancelledBeforeItShipsAndARejectedReturnLeavesItDelivered) {
  const auto ada = must_register();
  const auto cancelled = must_place(ada);
  EXPECT_TRUE(run(ada, cancelled, order::Cancel{"ordered twice"}).ok());
  EXPECT_EQ(status_of(ada, cancelled), order::Status::Cancelled);
  expect_error(run(ada, cancelled, order::ChangeStatus{order::Status::Processing, ""}),
               errc::conflict, "status");

  const auto kept = must_place(ada);
  must_step(ada, kept, order::Status::Processing);
  must_step(ada, kept, order::Status::Shipped);
  must_step(ada, kept, order::Status::Delivered);
  now_ += 31 * 24h;
  expect_error(run(ada, kept, order::RequestReturn{"late"}), errc::conflict, "status");
  now_ -= 2 * 24h;
  EXPECT_TRUE(run(ada, kept, order::RequestReturn{"scratched"}).ok());
  EXPECT_TRUE(run(ada, kept, order::RejectReturn{"used"}).ok());
  EXPECT_EQ(status_of(ada, kept), order::Status::Delivered);
}

TEST_F(OrderCommandsTest, AnotherCustomersOrderIsNotFound) {
  const auto ada = must_register();
  const auto bob = must_register();
  const auto order = must_place(ada);
  const auto events_before = log_->end_offset(log_->partition_for(ada.str())).value().value;

  expect_error(run(bob, order, order::Cancel{"not mine"}), errc::not_found, "orderId");
  expect_error(run(ada, OrderId("ORD-2026-999999"), order::Cancel{"no such order"}),
               errc::not_found, "orderId");
  auto loaded = orders_->load(bob, order);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, errc::not_found);
  EXPECT_EQ(log_->end_offset(log_->partition_for(ada.str())).value().value, events_before);
  EXPECT_EQ(status_of(ada, order), order::Status::Placed);
}

TEST_F(OrderCommandsTest, AStaleExpectedVersionIsRefused) {
  const auto ada = must_register();
  const auto order = must_place(ada);
  auto stale = orders_->execute(ada, order, order::ChangeStatus{order::Status::Processing, ""},
                                kAdmin, /*expected_version=*/0);
  expect_error(stale, errc::conflict, "If-Match");
  EXPECT_TRUE(orders_
                  ->execute(ada, order, order::ChangeStatus{order::Status::Processing, ""}, kAdmin,
                            /*expected_version=*/1)
                  .ok());
}

}  // namespace
}  // namespace clientele::commands
