#pragma once
// The Order aggregate: placement, fulfilment, cancellation and returns. A pure decider.
// Money is always an integer number of minor units (cents) of the order's currency.
// Stream: one per order; its events carry the customer's id in the envelope.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "domain/address.hpp"
#include "domain/context.hpp"
#include "domain/enums.hpp"
#include "domain/ids.hpp"
#include "domain/result.hpp"
#include "domain/time.hpp"

namespace clientele::order {

using Money = std::int64_t;  // minor units

enum class Status { Placed, Processing, Shipped, Delivered, Cancelled, ReturnRequested, Returned };
enum class ReturnStatus { Pending, Approved, Rejected };

inline constexpr std::size_t kMaxItems = 100;
inline constexpr std::int64_t kMaxQuantity = 10'000;
inline constexpr auto kReturnWindow = std::chrono::days{30};

// A line as the client asks for it.
struct ItemRequest {
  ProductId product_id;       // 1..64
  std::string product_name;   // 1..200
  std::int64_t quantity = 0;  // 1..10000
  Money unit_price = 0;       // >= 0
};

// A line as placed: totalPrice = quantity * unitPrice.
struct Item {
  ProductId product_id;
  std::string product_name;
  std::int64_t quantity = 0;
  Money unit_price = 0;
  Money total_price = 0;

  bool operator==(const Item&) const = default;
};

// ---- commands -------------------------------------------------------------------------------

struct Place {
  OrderId order_id;  // chosen by the command layer
  CustomerId customer_id;
  std::vector<ItemRequest> items;       // 1..100
  std::string currency;                 // ISO 4217
  PostalAddress delivery_address;       // resolved from the address book or given inline
  std::optional<Money> expected_total;  // if the client states a total, it must match the lines
};
// Moves fulfilment one step forward: Placed -> Processing -> Shipped -> Delivered.
struct ChangeStatus {
  Status status = Status::Processing;
  std::string notes;  // ..500, may be empty
};
struct Cancel {
  std::string reason;  // 1..500
};
struct RequestReturn {
  std::string reason;  // 1..500
};
struct ApproveReturn {
  std::string notes;  // ..500, may be empty
};
struct RejectReturn {
  std::string reason;  // 1..500
};
// The returned goods arrived back; only after an approved return.
struct CompleteReturn {};

using Command = std::variant<Place, ChangeStatus, Cancel, RequestReturn, ApproveReturn,
                             RejectReturn, CompleteReturn>;

// ---- events ---------------------------------------------------------------------------------

struct Placed {
  OrderId order_id;
  CustomerId customer_id;
  std::vector<Item> items;
  std::string currency;
  Money total_amount = 0;
  PostalAddress delivery_address;

  bool operator==(const Placed&) const = default;
};
struct StatusChanged {
  Status from = Status::Placed;
  Status to = Status::Processing;
  std::string notes;
  Timestamp at;  // when the status took effect (the return window counts from Delivered)

  bool operator==(const StatusChanged&) const = default;
};
struct Cancelled {
  std::string reason;
  bool operator==(const Cancelled&) const = default;
};
struct ReturnRequested {
  std::string reason;
  bool operator==(const ReturnRequested&) const = default;
};
struct ReturnApproved {
  std::string notes;
  bool operator==(const ReturnApproved&) const = default;
};
struct ReturnRejected {
  std::string reason;
  bool operator==(const ReturnRejected&) const = default;
};
struct Returned {
  bool operator==(const Returned&) const = default;
};

using Event = std::variant<Placed, StatusChanged, Cancelled, ReturnRequested, ReturnApproved,
                           ReturnRejected, Returned>;

// ---- ids ------------------------------------------------------------------------------------

inline constexpr std::uint64_t kMaxOrderNumber = 999'999;

// "ORD-2026-000042" from 2026 and 42. `number` is 1..kMaxOrderNumber.
OrderId make_order_id(int year, std::uint64_t number);

// The year and number of an id make_order_id made, or nullopt.
struct OrderNumber {
  int year = 0;
  std::uint64_t number = 0;
};
std::optional<OrderNumber> parse_order_id(const OrderId& id);

// ---- state and decider ----------------------------------------------------------------------

struct State {
  bool placed = false;
  OrderId id;
  CustomerId customer_id;
  Status status = Status::Placed;
  std::optional<ReturnStatus> return_status;
  std::optional<Timestamp> delivered_at;
  Money total_amount = 0;
  std::string currency;

  bool operator==(const State&) const = default;
};

// Returns the events `command` causes in `state` (possibly none), or the rule it breaks. Pure.
Result<std::vector<Event>> decide(const Command& command, const State& state, const Context& ctx);

// Applies one event; holds no rule. Pure.
State evolve(State state, const Event& event);

}  // namespace clientele::order

namespace clientele {

template <>
struct EnumNames<order::Status> {
  static constexpr std::array<std::pair<order::Status, std::string_view>, 7> values{{
      {order::Status::Placed, "Placed"},
      {order::Status::Processing, "Processing"},
      {order::Status::Shipped, "Shipped"},
      {order::Status::Delivered, "Delivered"},
      {order::Status::Cancelled, "Cancelled"},
      {order::Status::ReturnRequested, "Return Requested"},
      {order::Status::Returned, "Returned"},
  }};
};
template <>
struct EnumNames<order::ReturnStatus> {
  static constexpr std::array<std::pair<order::ReturnStatus, std::string_view>, 3> values{{
      {order::ReturnStatus::Pending, "Pending"},
      {order::ReturnStatus::Approved, "Approved"},
      {order::ReturnStatus::Rejected, "Rejected"},
  }};
};

}  // namespace clientele
