#include "domain/order.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "tests/domain/decider_spec.hpp"
#include "tests/domain/fixtures.hpp"

namespace clientele::order {
namespace {

using Spec = clientele::testing::DeciderSpec<State, Command, Event>;
using clientele::testing::admin;
using clientele::testing::jane;
using clientele::testing::jane_id;
using clientele::testing::someone_else;
using clientele::testing::spec_now;
using std::chrono::days;
using std::chrono::milliseconds;

const std::vector<Event> kNoEvents{};

// ---- fixtures -------------------------------------------------------------------------------

OrderId order_id() {
  return OrderId("ORD-2026-000001");
}

PostalAddress home() {
  return PostalAddress{"Jane Doe",    "+14155550100", "1 Main Street", "Apt 4",
                       "Springfield", "IL",           "62701",         "US"};
}

// Two kettles at 15.00 and three mugs at 4.00: 42.00 in all.
Place place() {
  Place p;
  p.order_id = order_id();
  p.customer_id = jane_id();
  p.items = {ItemRequest{ProductId("SKU-KETTLE"), "Kettle", 2, 1'500},
             ItemRequest{ProductId("SKU-MUG"), "Mug", 3, 400}};
  p.currency = "USD";
  p.delivery_address = home();
  return p;
}

// What place() emits.
Placed placed() {
  return Placed{order_id(),
                jane_id(),
                {Item{ProductId("SKU-KETTLE"), "Kettle", 2, 1'500, 3'000},
                 Item{ProductId("SKU-MUG"), "Mug", 3, 400, 1'200}},
                "USD",
                4'200,
                home()};
}

Place place_with_item(ItemRequest item) {
  Place p = place();
  p.items = {item};
  return p;
}

ItemRequest item() {
  return ItemRequest{ProductId("SKU-1"), "Thing", 1, 100};
}

StatusChanged moved(Status from, Status to, Timestamp at = spec_now() - days{10}) {
  return StatusChanged{from, to, "", at};
}

std::vector<Event> processing() {
  return {placed(), moved(Status::Placed, Status::Processing)};
}

std::vector<Event> shipped() {
  auto history = processing();
  history.push_back(moved(Status::Processing, Status::Shipped));
  return history;
}

std::vector<Event> delivered(Timestamp at = spec_now() - days{10}) {
  auto history = shipped();
  history.push_back(moved(Status::Shipped, Status::Delivered, at));
  return history;
}

std::vector<Event> return_pending() {
  auto history = delivered();
  history.emplace_back(ReturnRequested{"Too small"});
  return history;
}

std::vector<Event> return_approved() {
  auto history = return_pending();
  history.emplace_back(ReturnApproved{""});
  return history;
}

std::vector<Event> return_rejected() {
  auto history = return_pending();
  history.emplace_back(ReturnRejected{"Used"});
  return history;
}

std::vector<Event> returned() {
  auto history = return_approved();
  history.emplace_back(Returned{});
  return history;
}

std::vector<Event> cancelled() {
  return {placed(), Cancelled{"Changed my mind"}};
}

// ---- existence ------------------------------------------------------------------------------

TEST(OrderDecider, CommandsOnAnOrderNeverPlacedAreNotFound) {
  const std::vector<Command> commands{ChangeStatus{Status::Processing, ""},
                                      Cancel{"Changed my mind"},
                                      RequestReturn{"Too small"},
                                      ApproveReturn{""},
                                      RejectReturn{"Used"},
                                      CompleteReturn{}};
  for (const auto& command : commands) {
    SCOPED_TRACE(command.index());
    Spec().when(command).then(errc::not_found, "");
  }
}

TEST(OrderDecider, PlacingAnExistingOrderAgainIsAConflict) {
  Spec().given({placed()}).when(place()).then(errc::conflict, "");
}

TEST(OrderDecider, CommandShapeIsCheckedBeforeExistence) {
  Spec().when(Cancel{""}).then(errc::invalid, "reason");
}

// ---- place ----------------------------------------------------------------------------------

TEST(OrderDecider, PlaceEmitsPlacedWithLineTotalsAndOrderTotal) {
  const State state = Spec().when(place()).then({placed()});
  EXPECT_TRUE(state.placed);
  EXPECT_EQ(state.id, order_id());
  EXPECT_EQ(state.customer_id, jane_id());
  EXPECT_EQ(state.status, Status::Placed);
  EXPECT_EQ(state.total_amount, 4'200);
  EXPECT_EQ(state.currency, "USD");
  EXPECT_FALSE(state.return_status);
  EXPECT_FALSE(state.delivered_at);
}

TEST(OrderDecider, CustomerMayPlaceAnOrderForThemselves) {
  Spec().by(jane()).when(place()).then({placed()});
}

TEST(OrderDecider, AdministratorMayPlaceAnOrderForAnyCustomer) {
  Spec().by(admin()).when(place()).then({placed()});
}

TEST(OrderDecider, CustomerMayNotPlaceAnOrderForAnotherCustomer) {
  Spec().by(someone_else()).when(place()).then(errc::forbidden, "customerId");
}

TEST(OrderDecider, PlaceRequiresAnOrderId) {
  Place p = place();
  p.order_id = OrderId();
  Spec().when(p).then(errc::invalid, "orderId");
}

TEST(OrderDecider, PlaceRequiresACustomerId) {
  Place p = place();
  p.customer_id = CustomerId();
  Spec().when(p).then(errc::invalid, "customerId");
}

TEST(OrderDecider, PlaceRequiresAtLeastOneItem) {
  Place p = place();
  p.items.clear();
  Spec().when(p).then(errc::invalid, "items");
}

TEST(OrderDecider, PlaceAcceptsAtMostOneHundredItems) {
  Place p = place();
  p.items.assign(kMaxItems, item());
  Placed expected = placed();
  expected.items.assign(kMaxItems, Item{ProductId("SKU-1"), "Thing", 1, 100, 100});
  expected.total_amount = 100 * static_cast<Money>(kMaxItems);
  Spec().when(p).then({expected});

  p.items.push_back(item());
  Spec().when(p).then(errc::invalid, "items");
}

TEST(OrderDecider, ItemErrorsNameTheLine) {
  Place p = place();
  p.items[1].product_id = ProductId();
  Spec().when(p).then(errc::invalid, "items[1].productId");
}

TEST(OrderDecider, ProductIdIsAtMostSixtyFourCharacters) {
  ItemRequest ok = item();
  ok.product_id = ProductId(std::string(64, 'P'));
  Spec()
      .when(place_with_item(ok))
      .then({Placed{
          order_id(), jane_id(), {Item{ok.product_id, "Thing", 1, 100, 100}}, "USD", 100, home()}});

  ItemRequest too_long = item();
  too_long.product_id = ProductId(std::string(65, 'P'));
  Spec().when(place_with_item(too_long)).then(errc::invalid, "items[0].productId");
}

TEST(OrderDecider, ProductNameIsRequired) {
  ItemRequest i = item();
  i.product_name = "";
  Spec().when(place_with_item(i)).then(errc::invalid, "items[0].productName");
}

TEST(OrderDecider, ProductNameIsAtMostTwoHundredCharacters) {
  ItemRequest i = item();
  i.product_name = std::string(201, 'n');
  Spec().when(place_with_item(i)).then(errc::invalid, "items[0].productName");
}

TEST(OrderDecider, QuantityMustBePositive) {
  ItemRequest i = item();
  i.quantity = 0;
  Spec().when(place_with_item(i)).then(errc::invalid, "items[0].quantity");
  i.quantity = -1;
  Spec().when(place_with_item(i)).then(errc::invalid, "items[0].quantity");
}

TEST(OrderDecider, QuantityIsAtMostTenThousand) {
  ItemRequest i = item();
  i.quantity = kMaxQuantity + 1;
  Spec().when(place_with_item(i)).then(errc::invalid, "items[0].quantity");
}

TEST(OrderDecider, UnitPriceMustNotBeNegative) {
  ItemRequest i = item();
  i.unit_price = -1;
  Spec().when(place_with_item(i)).then(errc::invalid, "items[0].unitPrice");
}

TEST(OrderDecider, FreeItemsArePlacedAtZero) {
  ItemRequest i = item();
  i.unit_price = 0;
  i.quantity = 3;
  Spec()
      .when(place_with_item(i))
      .then({Placed{
          order_id(), jane_id(), {Item{i.product_id, "Thing", 3, 0, 0}}, "USD", 0, home()}});
}

TEST(OrderDecider, CurrencyMustBeAnIsoCode) {
  Place p = place();
  p.currency = "usd";
  Spec().when(p).then(errc::invalid, "currency");
  p.currency = "XYZ";
  Spec().when(p).then(errc::invalid, "currency");
}

TEST(OrderDecider, DeliveryAddressErrorsNameTheAddressField) {
  Place p = place();
  p.delivery_address.city = "";
  Spec().when(p).then(errc::invalid, "deliveryAddress.city");
  p = place();
  p.delivery_address.country = "ZZ";
  Spec().when(p).then(errc::invalid, "deliveryAddress.country");
}

TEST(OrderDecider, LineTotalThatOverflowsIsRefused) {
  ItemRequest i = item();
  i.quantity = kMaxQuantity;
  i.unit_price = std::numeric_limits<Money>::max() / 2;
  Spec().when(place_with_item(i)).then(errc::invalid, "items");
}

TEST(OrderDecider, OrderTotalThatOverflowsIsRefused) {
  Place p = place();
  p.items = {ItemRequest{ProductId("A"), "A", 1, std::numeric_limits<Money>::max()},
             ItemRequest{ProductId("B"), "B", 1, 1}};
  Spec().when(p).then(errc::invalid, "items");
}

TEST(OrderDecider, StatedTotalMustMatchTheItems) {
  Place p = place();
  p.expected_total = 4'199;
  Spec().when(p).then(errc::invalid, "totalAmount");
}

TEST(OrderDecider, MatchingStatedTotalIsAccepted) {
  Place p = place();
  p.expected_total = 4'200;
  Spec().when(p).then({placed()});
}

// ---- change status --------------------------------------------------------------------------

TEST(OrderDecider, PlacedOrderMovesToProcessing) {
  const State state =
      Spec()
          .given({placed()})
          .when(ChangeStatus{Status::Processing, "Picking"})
          .then({StatusChanged{Status::Placed, Status::Processing, "Picking", spec_now()}});
  EXPECT_EQ(state.status, Status::Processing);
}

TEST(OrderDecider, ProcessingOrderMovesToShipped) {
  Spec()
      .given(processing())
      .when(ChangeStatus{Status::Shipped, ""})
      .then({StatusChanged{Status::Processing, Status::Shipped, "", spec_now()}});
}

TEST(OrderDecider, DeliveryRecordsWhenTheOrderWasDelivered) {
  const State state =
      Spec()
          .given(shipped())
          .when(ChangeStatus{Status::Delivered, ""})
          .then({StatusChanged{Status::Shipped, Status::Delivered, "", spec_now()}});
  EXPECT_EQ(state.status, Status::Delivered);
  EXPECT_EQ(state.delivered_at, spec_now());
}

TEST(OrderDecider, ChangingToTheCurrentStatusChangesNothing) {
  Spec().given(shipped()).when(ChangeStatus{Status::Shipped, ""}).then(kNoEvents);
}

TEST(OrderDecider, StatusCannotSkipAStep) {
  Spec().given({placed()}).when(ChangeStatus{Status::Shipped, ""}).then(errc::conflict, "status");
}

TEST(OrderDecider, StatusCannotMoveBackwards) {
  Spec().given(shipped()).when(ChangeStatus{Status::Processing, ""}).then(errc::conflict, "status");
}

TEST(OrderDecider, CancelledOrderIsNotFulfilled) {
  Spec()
      .given(cancelled())
      .when(ChangeStatus{Status::Processing, ""})
      .then(errc::conflict, "status");
}

TEST(OrderDecider, ChangeStatusOnlyMovesFulfilment) {
  for (Status target :
       {Status::Placed, Status::Cancelled, Status::ReturnRequested, Status::Returned}) {
    SCOPED_TRACE(to_string(target));
    Spec().given({placed()}).when(ChangeStatus{target, ""}).then(errc::invalid, "status");
  }
}

TEST(OrderDecider, StatusNotesAreAtMostFiveHundredCharacters) {
  Spec()
      .given({placed()})
      .when(ChangeStatus{Status::Processing, std::string(501, 'n')})
      .then(errc::invalid, "notes");
}

// ---- cancel ---------------------------------------------------------------------------------

TEST(OrderDecider, PlacedOrderCanBeCancelled) {
  const State state =
      Spec().given({placed()}).when(Cancel{"Changed my mind"}).then({Cancelled{"Changed my mind"}});
  EXPECT_EQ(state.status, Status::Cancelled);
}

TEST(OrderDecider, ProcessingOrderCanBeCancelled) {
  Spec().given(processing()).when(Cancel{"Too slow"}).then({Cancelled{"Too slow"}});
}

TEST(OrderDecider, ShippedOrderCannotBeCancelled) {
  Spec().given(shipped()).when(Cancel{"Too slow"}).then(errc::conflict, "status");
}

TEST(OrderDecider, DeliveredOrderCannotBeCancelled) {
  Spec().given(delivered()).when(Cancel{"Too slow"}).then(errc::conflict, "status");
}

TEST(OrderDecider, CancelledOrderCannotBeCancelledAgain) {
  Spec().given(cancelled()).when(Cancel{"Again"}).then(errc::conflict, "status");
}

TEST(OrderDecider, CancelNeedsAReason) {
  Spec().given({placed()}).when(Cancel{""}).then(errc::invalid, "reason");
  Spec().given({placed()}).when(Cancel{"   "}).then(errc::invalid, "reason");
}

TEST(OrderDecider, CancelReasonIsAtMostFiveHundredCharacters) {
  Spec().given({placed()}).when(Cancel{std::string(501, 'r')}).then(errc::invalid, "reason");
}

// ---- request return -------------------------------------------------------------------------

TEST(OrderDecider, DeliveredOrderCanBeReturned) {
  const State state = Spec()
                          .given(delivered())
                          .when(RequestReturn{"Too small"})
                          .then({ReturnRequested{"Too small"}});
  EXPECT_EQ(state.status, Status::ReturnRequested);
  EXPECT_EQ(state.return_status, ReturnStatus::Pending);
}

TEST(OrderDecider, ReturnIsAllowedExactlyThirtyDaysFromDelivery) {
  const Timestamp delivered_at = spec_now() - days{40};
  Spec()
      .given(delivered(delivered_at))
      .at(delivered_at + days{30})
      .when(RequestReturn{"Too small"})
      .then({ReturnRequested{"Too small"}});
}

TEST(OrderDecider, ReturnIsRefusedAfterThirtyDaysFromDelivery) {
  const Timestamp delivered_at = spec_now() - days{40};
  Spec()
      .given(delivered(delivered_at))
      .at(delivered_at + days{30} + milliseconds{1})
      .when(RequestReturn{"Too small"})
      .then(errc::conflict, "status");
}

TEST(OrderDecider, UndeliveredOrderCannotBeReturned) {
  Spec().given(shipped()).when(RequestReturn{"Too small"}).then(errc::conflict, "status");
}

TEST(OrderDecider, PendingReturnCannotBeRequestedAgain) {
  Spec().given(return_pending()).when(RequestReturn{"Again"}).then(errc::conflict, "status");
}

TEST(OrderDecider, RejectedReturnCannotBeRequestedAgain) {
  Spec().given(return_rejected()).when(RequestReturn{"Again"}).then(errc::conflict, "status");
}

TEST(OrderDecider, ReturnNeedsAReason) {
  Spec().given(delivered()).when(RequestReturn{""}).then(errc::invalid, "reason");
  Spec()
      .given(delivered())
      .when(RequestReturn{std::string(501, 'r')})
      .then(errc::invalid, "reason");
}

// ---- approve, reject, complete return -------------------------------------------------------

TEST(OrderDecider, PendingReturnCanBeApproved) {
  const State state = Spec()
                          .given(return_pending())
                          .when(ApproveReturn{"Label sent"})
                          .then({ReturnApproved{"Label sent"}});
  EXPECT_EQ(state.return_status, ReturnStatus::Approved);
  EXPECT_EQ(state.status, Status::ReturnRequested);
}

TEST(OrderDecider, ApprovalNeedsAPendingReturn) {
  Spec().given(delivered()).when(ApproveReturn{""}).then(errc::conflict, "status");
  Spec().given(return_approved()).when(ApproveReturn{""}).then(errc::conflict, "status");
  Spec().given(return_rejected()).when(ApproveReturn{""}).then(errc::conflict, "status");
}

TEST(OrderDecider, ApprovalNotesAreAtMostFiveHundredCharacters) {
  Spec()
      .given(return_pending())
      .when(ApproveReturn{std::string(501, 'n')})
      .then(errc::invalid, "notes");
}

TEST(OrderDecider, RejectedReturnLeavesTheOrderDelivered) {
  const State state =
      Spec().given(return_pending()).when(RejectReturn{"Used"}).then({ReturnRejected{"Used"}});
  EXPECT_EQ(state.return_status, ReturnStatus::Rejected);
  EXPECT_EQ(state.status, Status::Delivered);
}

TEST(OrderDecider, RejectionNeedsAPendingReturn) {
  Spec().given(delivered()).when(RejectReturn{"Used"}).then(errc::conflict, "status");
  Spec().given(return_approved()).when(RejectReturn{"Used"}).then(errc::conflict, "status");
}

TEST(OrderDecider, RejectionNeedsAReason) {
  Spec().given(return_pending()).when(RejectReturn{""}).then(errc::invalid, "reason");
  Spec()
      .given(return_pending())
      .when(RejectReturn{std::string(501, 'r')})
      .then(errc::invalid, "reason");
}

TEST(OrderDecider, ApprovedReturnCompletesWhenGoodsArrive) {
  const State state = Spec().given(return_approved()).when(CompleteReturn{}).then({Returned{}});
  EXPECT_EQ(state.status, Status::Returned);
}

TEST(OrderDecider, ReturnCannotCompleteBeforeApproval) {
  Spec().given(return_pending()).when(CompleteReturn{}).then(errc::conflict, "status");
  Spec().given(delivered()).when(CompleteReturn{}).then(errc::conflict, "status");
}

TEST(OrderDecider, RejectedReturnCannotComplete) {
  Spec().given(return_rejected()).when(CompleteReturn{}).then(errc::conflict, "status");
}

TEST(OrderDecider, ReturnCompletesOnlyOnce) {
  Spec().given(returned()).when(CompleteReturn{}).then(errc::conflict, "status");
}

// ---- lifecycle ------------------------------------------------------------------------------

TEST(OrderLifecycle, OrderIsPlacedFulfilledAndReturned) {
  std::vector<Event> history;
  const auto step = [&](Timestamp at, Command command, Event expected) {
    Spec().given(history).at(at).when(std::move(command)).then({expected});
    history.push_back(std::move(expected));
  };
  const Timestamp t0 = spec_now();
  const Timestamp delivered_at = t0 + days{3};
  step(t0, place(), placed());
  step(t0 + days{1}, ChangeStatus{Status::Processing, ""},
       StatusChanged{Status::Placed, Status::Processing, "", t0 + days{1}});
  step(t0 + days{2}, ChangeStatus{Status::Shipped, "Tracking 1Z"},
       StatusChanged{Status::Processing, Status::Shipped, "Tracking 1Z", t0 + days{2}});
  step(delivered_at, ChangeStatus{Status::Delivered, ""},
       StatusChanged{Status::Shipped, Status::Delivered, "", delivered_at});
  step(delivered_at + days{30}, RequestReturn{"Wrong colour"}, ReturnRequested{"Wrong colour"});
  step(delivered_at + days{31}, ApproveReturn{""}, ReturnApproved{""});
  step(delivered_at + days{40}, CompleteReturn{}, Returned{});

  const State state = Spec().given(history).given_state();
  EXPECT_EQ(state.status, Status::Returned);
  EXPECT_EQ(state.return_status, ReturnStatus::Approved);
  EXPECT_EQ(state.delivered_at, delivered_at);
  EXPECT_EQ(state.total_amount, 4'200);
}

TEST(OrderLifecycle, OrderCancelledWhileProcessingIsNeverShipped) {
  std::vector<Event> history = processing();
  const State state =
      Spec().given(history).when(Cancel{"Found it cheaper"}).then({Cancelled{"Found it cheaper"}});
  EXPECT_EQ(state.status, Status::Cancelled);

  history.emplace_back(Cancelled{"Found it cheaper"});
  Spec().given(history).when(ChangeStatus{Status::Shipped, ""}).then(errc::conflict, "status");
  Spec().given(history).when(RequestReturn{"Never came"}).then(errc::conflict, "status");
}

TEST(OrderIds, AreTheYearAndASixDigitNumberAndParseBack) {
  EXPECT_EQ(make_order_id(2026, 42).str(), "ORD-2026-000042");
  EXPECT_EQ(make_order_id(2027, kMaxOrderNumber).str(), "ORD-2027-999999");
  const auto parsed = parse_order_id(OrderId("ORD-2026-000042"));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->year, 2026);
  EXPECT_EQ(parsed->number, 42u);
  for (const char* other : {"ORD-2026-00042", "ORD-2026-0000042", "ord-2026-000042",
                            "ORD-20x6-000042", "ORD-2026_000042", "ORD-2026-00004a",
                            "ORD--001-000042", "ORD-2026--00042", "ORD-2026-+00042", ""}) {
    EXPECT_FALSE(parse_order_id(OrderId(other)).has_value()) << other;
  }
}

}  // namespace
}  // namespace clientele::order
