#include "domain/order.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string>

#include "domain/validation.hpp"

namespace clientele::order {
namespace {

using Events = std::vector<Event>;
using Decision = Result<Events>;

Error invalid(std::string field, std::string message) {
  return make_error(errc::invalid, std::move(field), std::move(message));
}

// Every state rule of an order is about its status (or its return's), so refusals name "status".
Error conflict(std::string message) {
  return make_error(errc::conflict, "status", std::move(message));
}

// Succeeds iff the order has been placed.
Result<void> require_placed(const State& s) {
  if (!s.placed) return make_error(errc::not_found, "", "order not found");
  return success();
}

// The status a fulfilment step to `to` starts from, or nullopt when `to` is not a
// fulfilment status (cancellation and returns have their own commands).
std::optional<Status> fulfilment_predecessor(Status to) {
  switch (to) {
    case Status::Processing:
      return Status::Placed;
    case Status::Shipped:
      return Status::Processing;
    case Status::Delivered:
      return Status::Shipped;
    default:
      return std::nullopt;
  }
}

// ---- place ----------------------------------------------------------------------------------

// Checks line `index`; errors name the field as "items[index].<field>".
Result<void> check_item(const ItemRequest& item, std::size_t index) {
  const auto name = [index](std::string_view field) {
    return "items[" + std::to_string(index) + "]." + std::string(field);
  };
  if (auto r = check_text(name("productId"), item.product_id.str(), 1, 64); !r) return r;
  if (auto r = check_text(name("productName"), item.product_name, 1, 200); !r) return r;
  if (item.quantity < 1 || item.quantity > kMaxQuantity) {
    return invalid(name("quantity"), "must be 1 to " + std::to_string(kMaxQuantity));
  }
  if (item.unit_price < 0) return invalid(name("unitPrice"), "must not be negative");
  return success();
}

Result<void> check_items(const std::vector<ItemRequest>& items) {
  if (items.empty() || items.size() > kMaxItems) {
    return invalid("items", "must hold 1 to " + std::to_string(kMaxItems) + " lines");
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (auto r = check_item(items[i], i); !r) return r;
  }
  return success();
}

struct Priced {
  std::vector<Item> items;  // the requested lines with their totals
  Money total = 0;          // the sum of the line totals
};

// Prices checked lines; fails iff a line total or the order total does not fit in Money.
Result<Priced> price(const std::vector<ItemRequest>& requests) {
  Priced priced;
  for (const auto& r : requests) {
    Money line = 0;
    if (__builtin_mul_overflow(r.quantity, r.unit_price, &line) ||
        __builtin_add_overflow(priced.total, line, &priced.total)) {
      return invalid("items", "total amount is too large");
    }
    priced.items.push_back(Item{r.product_id, r.product_name, r.quantity, r.unit_price, line});
  }
  return priced;
}

// Both ids are given, and a customer places orders only for themselves.
Result<void> check_placer(const Place& c, const Context& ctx) {
  if (c.order_id.empty()) return invalid("orderId", "is required");
  if (c.customer_id.empty()) return invalid("customerId", "is required");
  if (ctx.actor.role == Role::Customer && ctx.actor.id.str() != c.customer_id.str()) {
    return make_error(errc::forbidden, "customerId", "customers may only order for themselves");
  }
  return success();
}

Decision handle(const Place& c, const State& s, const Context& ctx) {
  if (auto r = check_placer(c, ctx); !r) return r.error();
  if (auto r = check_items(c.items); !r) return r.error();
  if (!is_currency_code(c.currency)) return invalid("currency", "must be an ISO 4217 code");
  if (auto r = validate_postal_address(c.delivery_address, "deliveryAddress"); !r) {
    return r.error();
  }
  auto priced = price(c.items);
  if (!priced) return priced.error();
  if (c.expected_total && *c.expected_total != priced->total) {
    return invalid("totalAmount", "does not match the sum of the items");
  }
  if (s.placed) return make_error(errc::conflict, "", "order already exists");
  return Events{Placed{c.order_id, c.customer_id, std::move(priced->items), c.currency,
                       priced->total, c.delivery_address}};
}

// ---- fulfilment and cancellation ------------------------------------------------------------

Decision handle(const ChangeStatus& c, const State& s, const Context& ctx) {
  if (auto r = check_optional_text("notes", c.notes, 500); !r) return r.error();
  const auto from = fulfilment_predecessor(c.status);
  if (!from) return invalid("status", "must be Processing, Shipped or Delivered");
  if (auto r = require_placed(s); !r) return r.error();
  if (s.status == c.status) return Events{};
  if (s.status != *from) return conflict("status may only move one step forward");
  return Events{StatusChanged{s.status, c.status, c.notes, ctx.now}};
}

Decision handle(const Cancel& c, const State& s, const Context&) {
  if (auto r = check_text("reason", c.reason, 1, 500); !r) return r.error();
  if (auto r = require_placed(s); !r) return r.error();
  if (s.status != Status::Placed && s.status != Status::Processing) {
    return conflict("an order can only be cancelled before it is shipped");
  }
  return Events{Cancelled{c.reason}};
}

// ---- returns --------------------------------------------------------------------------------

Decision handle(const RequestReturn& c, const State& s, const Context& ctx) {
  if (auto r = check_text("reason", c.reason, 1, 500); !r) return r.error();
  if (auto r = require_placed(s); !r) return r.error();
  if (s.status != Status::Delivered) return conflict("only a delivered order can be returned");
  if (s.return_status) return conflict("a return was already requested");
  if (!s.delivered_at || ctx.now > *s.delivered_at + kReturnWindow) {
    return conflict("the return window has closed");
  }
  return Events{ReturnRequested{c.reason}};
}

Decision handle(const ApproveReturn& c, const State& s, const Context&) {
  if (auto r = check_optional_text("notes", c.notes, 500); !r) return r.error();
  if (auto r = require_placed(s); !r) return r.error();
  if (s.return_status != ReturnStatus::Pending) return conflict("no return is pending");
  return Events{ReturnApproved{c.notes}};
}

Decision handle(const RejectReturn& c, const State& s, const Context&) {
  if (auto r = check_text("reason", c.reason, 1, 500); !r) return r.error();
  if (auto r = require_placed(s); !r) return r.error();
  if (s.return_status != ReturnStatus::Pending) return conflict("no return is pending");
  return Events{ReturnRejected{c.reason}};
}

Decision handle(const CompleteReturn&, const State& s, const Context&) {
  if (auto r = require_placed(s); !r) return r.error();
  if (s.return_status != ReturnStatus::Approved || s.status == Status::Returned) {
    return conflict("no approved return is awaiting the goods");
  }
  return Events{Returned{}};
}

// ---- evolve ---------------------------------------------------------------------------------

State apply(State s, const Placed& e) {
  s.placed = true;
  s.id = e.order_id;
  s.customer_id = e.customer_id;
  s.status = Status::Placed;
  s.total_amount = e.total_amount;
  s.currency = e.currency;
  return s;
}

State apply(State s, const StatusChanged& e) {
  s.status = e.to;
  if (e.to == Status::Delivered) s.delivered_at = e.at;
  return s;
}

State apply(State s, const Cancelled&) {
  s.status = Status::Cancelled;
  return s;
}

State apply(State s, const ReturnRequested&) {
  s.status = Status::ReturnRequested;
  s.return_status = ReturnStatus::Pending;
  return s;
}

State apply(State s, const ReturnApproved&) {
  s.return_status = ReturnStatus::Approved;
  return s;
}

State apply(State s, const ReturnRejected&) {
  s.return_status = ReturnStatus::Rejected;
  s.status = Status::Delivered;
  return s;
}

State apply(State s, const Returned&) {
  s.status = Status::Returned;
  return s;
}

}  // namespace

OrderId make_order_id(int year, std::uint64_t number) {
  char text[32];
  std::snprintf(text, sizeof text, "ORD-%04d-%06llu", year,
                static_cast<unsigned long long>(number));
  return OrderId(text);
}

std::optional<OrderNumber> parse_order_id(const OrderId& id) {
  const std::string_view text = id.str();
  constexpr std::string_view kPrefix = "ORD-";
  if (text.size() != 15 || !text.starts_with(kPrefix) || text[8] != '-') return std::nullopt;
  const auto digits = [](std::string_view part, auto& value) {
    if (!std::ranges::all_of(part, [](char c) { return c >= '0' && c <= '9'; })) return false;
    const auto end = part.data() + part.size();
    const auto [at, ec] = std::from_chars(part.data(), end, value);
    return ec == std::errc() && at == end;
  };
  OrderNumber parsed;
  if (!digits(text.substr(4, 4), parsed.year) || !digits(text.substr(9), parsed.number)) {
    return std::nullopt;
  }
  return parsed;
}

Result<std::vector<Event>> decide(const Command& command, const State& state, const Context& ctx) {
  return std::visit([&](const auto& c) { return handle(c, state, ctx); }, command);
}

State evolve(State state, const Event& event) {
  return std::visit([&](const auto& e) { return apply(std::move(state), e); }, event);
}

}  // namespace clientele::order
