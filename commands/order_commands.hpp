#pragma once
// The order's application service (DESIGN.md §4). An order's events are in its own stream
// ("order-ORD-2026-000042") and on its customer's partition (keyed by the customer id, which each
// envelope carries), so every command of an order runs on the strand of its customer
// (command_bus.hpp), one at a time with the customer's own commands.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "commands/command_bus.hpp"
#include "domain/order.hpp"

namespace clientele::commands {

// Where an order goes: one of the customer's own addresses, or an address given with the order.
using DeliveryAddress = std::variant<AddressId, PostalAddress>;

// A placement as the client asks for it; the order id is chosen by the service.
struct PlaceOrder {
  CustomerId customer_id;
  std::vector<order::ItemRequest> items;
  std::string currency;
  DeliveryAddress delivery_address;
  std::optional<order::Money> expected_total;  // checked against the lines when given
  // For a retry of a placement whose outcome is unknown: the id its earlier attempt was given.
  // When that attempt's order was placed, place() answers it (appending nothing); else the
  // order is placed under this id.
  std::optional<OrderId> earlier_id;
  // Called with the order's id once it is given, before the order is appended, to keep the id
  // for a retry; when it fails, nothing is placed.
  std::function<Result<void>(const OrderId&)> on_numbered;
};

struct Placement {
  OrderId order_id;
  Outcome outcome;
};

class OrderCommands {
 public:
  using Clock = std::function<Timestamp()>;

  // `bus` must outlive the service. Thread-safe.
  OrderCommands(CommandBus& bus, Clock clock);

  // Places an order for `request.customer_id` under a fresh id `ORD-<year>-<number>` (the year of
  // placement and the next number of that year across all partitions, see allocate()), or under
  // `request.earlier_id`, or answers the order placed under it (then `outcome` has no position).
  // The delivery address, when given by id, is copied from the customer's address book.
  // errc::not_found (field "customerId") for an unknown customer and for a customer `actor` placing
  // for another, (field "deliveryAddressId") for an address id that is not one of the customer's;
  // errc::conflict (field "customerId") for an erased, erasing, Inactive or Suspended customer;
  // the order's rules otherwise (checked before a number is given). Never call it on a strand:
  // the first placement catches every strand up.
  Result<Placement> place(const PlaceOrder& request, const Actor& actor, const Origin& origin = {});

  // Runs `command` (anything but order::Place) against the order's current state.
  // errc::not_found (field "orderId") when there is no such order or it is not `customer`'s: one
  // answer for both, so that nobody learns of another customer's orders. errc::conflict (field
  // "customerId") once the customer is erased or being erased: its orders take no more events.
  Result<Outcome> execute(const CustomerId& customer, const OrderId& order,
                          const order::Command& command, const Actor& actor,
                          std::optional<std::uint64_t> expected_version = {},
                          const Origin& origin = {});

  // The customer whose order `order` is, as the write model knows it (at once, unlike the read
  // models): for administrators, who address orders by id alone. errc::not_found (field
  // "orderId") when no such order was placed.
  Result<CustomerId> customer_of(const OrderId& order);

  // The order's current state and version; errc::not_found as for execute().
  Result<Loaded<order::State>> load(const CustomerId& customer, const OrderId& order);

 private:
  // The next order id of `at`'s year. Called on a strand. The numbers given are those the write
  // model recorded from the log (Lookup::order_number: the highest per year in each partition,
  // kept by that partition's strand as it applies order.placed events) and those given since this
  // service started, whichever is higher: an id is never given twice, and a number given to a
  // placement whose append failed is simply skipped. One OrderCommands per command bus, and one
  // command bus for all partitions: numbers are given in this process alone.
  Result<OrderId> allocate(Timestamp at);
  // Records that `id` is given (an earlier attempt's id, reused), so that allocate() passes it.
  void given(const OrderId& id);
  // Catches every partition up with the log once, before the first allocation, so that the write
  // model knows every number placed before this service started. Never called on a strand.
  Result<void> count_placed();

  CommandBus& bus_;
  Clock clock_;
  std::mutex mu_;                       // guards the members below
  bool counted_ = false;                // count_placed() succeeded
  std::map<int, std::uint64_t> given_;  // year -> the highest number this service gave
};

}  // namespace clientele::commands
