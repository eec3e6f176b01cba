#include "commands/order_commands.hpp"

#include <algorithm>

#include "commands/identity_lookups.hpp"
#include "events/codec.hpp"

namespace clientele::commands {
namespace {

int year_of(Timestamp at) {
  return static_cast<int>(
      std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(at)).year());
}

Error customer_erased() {
  return make_error(errc::conflict, "customerId", "customer has been erased");
}

// Succeeds iff `customer` may place an order now.
Result<void> check_may_order(const customer::State& customer) {
  if (!customer.registered) return make_error(errc::not_found, "customerId", "customer not found");
  if (customer.erased || customer.erasure_requested) {
    return customer_erased();
  }
  if (customer.status != customer::Status::Active) {
    return make_error(errc::conflict, "customerId",
                      "a customer who is " + std::string(clientele::to_string(customer.status)) +
                          " may not place orders");
  }
  return success();
}

// The address `delivery` names, copied from `customer`'s address book when given by id.
Result<PostalAddress> resolve(const DeliveryAddress& delivery, const customer::State& customer) {
  if (const auto* inline_address = std::get_if<PostalAddress>(&delivery)) return *inline_address;
  const auto& id = std::get<AddressId>(delivery);
  const auto found = std::ranges::find(customer.addresses, id, &customer::Address::id);
  if (found == customer.addresses.end()) {
    return make_error(errc::not_found, "deliveryAddressId", "no address with this id");
  }
  return found->postal;
}

Error order_not_found() {
  return make_error(errc::not_found, "orderId", "order not found");
}

// The order, iff it is placed and `customer`'s.
Result<Loaded<order::State>> owned_order(Strand& strand, const CustomerId& customer,
                                         const OrderId& order) {
  auto loaded = strand.order(order);
  if (!loaded) return loaded.error();
  if (!loaded->state.placed || loaded->state.customer_id != customer) return order_not_found();
  return loaded;
}

}  // namespace

OrderCommands::OrderCommands(CommandBus& bus, Clock clock) : bus_(bus), clock_(std::move(clock)) {}

Result<void> OrderCommands::count_placed() {
  {
    std::lock_guard lock(mu_);
    if (counted_) return success();
  }
  // Outside the lock: catching up waits for every strand, and strands allocate under it.
  if (auto caught_up = bus_.catch_up(); !caught_up) return caught_up;
  std::lock_guard lock(mu_);
  counted_ = true;
  return success();
}

Result<OrderId> OrderCommands::allocate(Timestamp at) {
  const int year = year_of(at);
  std::lock_guard lock(mu_);
  auto recorded = IdentityLookups(bus_.store(), bus_.pepper()).last_order_number(year);
  if (!recorded) return recorded.error();
  auto& given = given_[year];
  const auto next = std::max(given, *recorded) + 1;
  if (next > order::kMaxOrderNumber) {
    return make_error(errc::unavailable, "orderId", "this year's order numbers are used up");
  }
  given = next;
  return order::make_order_id(year, next);
}

void OrderCommands::given(const OrderId& id) {
  const auto number = order::parse_order_id(id);
  if (!number) return;
  std::lock_guard lock(mu_);
  auto& given = given_[number->year];
  given = std::max(given, number->number);
}

Result<Placement> OrderCommands::place(const PlaceOrder& request, const Actor& actor,
                                       const Origin& origin) {
  if (auto counted = count_placed(); !counted) return counted.error();
  const Context ctx{clock_(), actor};
  // Before anything about the customer is looked at: a customer orders only for itself, and
  // learns nothing of others.
  if (actor.role == Role::Customer && actor.id.str() != request.customer_id.str()) {
    return make_error(errc::not_found, "customerId", "customer not found");
  }
  return bus_.run(request.customer_id, [&](Strand& strand) -> Result<Placement> {
    auto reused = request.earlier_id;
    if (reused) {
      // The earlier attempt's order, when it was placed after all: the same placement, answered
      // again (the order's stream is on its customer's partition, so on this strand).
      auto earlier = strand.order(*reused);
      if (!earlier) return earlier.error();
      if (earlier->state.placed && earlier->state.customer_id == request.customer_id) {
        return Placement{*reused, Outcome{{}, earlier->version}};
      }
      // Another's since (given again after a restart that lost the attempt): a fresh id.
      if (earlier->state.placed) reused.reset();
    }
    auto customer = strand.customer(request.customer_id);
    if (!customer) return customer.error();
    if (auto may = check_may_order(customer->state); !may) return may.error();
    auto address = resolve(request.delivery_address, customer->state);
    if (!address) return address.error();
    // The order's own rules before a number is given, so that a refused placement uses none.
    order::Place place{
        OrderId("ORD-unnumbered"), request.customer_id, request.items, request.currency, *address,
        request.expected_total};
    if (auto checked = order::decide(place, order::State{}, ctx); !checked) {
      return checked.error();
    }
    auto id = reused ? Result<OrderId>(*reused) : allocate(ctx.now);
    if (!id) return id.error();
    if (reused) given(*id);
    if (request.on_numbered) {
      if (auto kept = request.on_numbered(*id); !kept) return kept.error();
    }
    place.order_id = *id;
    auto outcome = strand.execute(request.customer_id, *id, order::Command(std::move(place)), ctx,
                                  /*expected_version=*/0, origin);
    if (!outcome) return outcome.error();
    return Placement{*id, std::move(*outcome)};
  });
}

Result<Outcome> OrderCommands::execute(const CustomerId& customer, const OrderId& order,
                                       const order::Command& command, const Actor& actor,
                                       std::optional<std::uint64_t> expected_version,
                                       const Origin& origin) {
  if (std::holds_alternative<order::Place>(command)) {
    return make_error(errc::invalid, "", "orders are placed with place()");
  }
  const Context ctx{clock_(), actor};
  return bus_.run(customer, [&](Strand& strand) -> Result<Outcome> {
    if (auto owned = owned_order(strand, customer, order); !owned) return owned.error();
    // An erased customer's orders take no more events: their personal fields would be sealed
    // under a key that is (or is about to be) destroyed, after the read models dropped the rest.
    auto owner = strand.customer(customer);
    if (!owner) return owner.error();
    if (owner->state.erased || owner->state.erasure_requested) {
      return customer_erased();
    }
    return strand.execute(customer, order, command, ctx, expected_version, origin);
  });
}

Result<CustomerId> OrderCommands::customer_of(const OrderId& order) {
  auto owner = bus_.owner_of(events::stream_name(order));
  if (!owner) return owner.error();
  if (!*owner) return order_not_found();
  return **owner;
}

Result<Loaded<order::State>> OrderCommands::load(const CustomerId& customer, const OrderId& order) {
  return bus_.run(customer, [&](Strand& strand) { return owned_order(strand, customer, order); });
}

}  // namespace clientele::commands
