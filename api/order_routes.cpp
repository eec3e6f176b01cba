#include "api/order_routes.hpp"

#include <limits>
#include <string>

#include "api/address_routes.hpp"
#include "api/customer_routes.hpp"
#include "api/envelope.hpp"
#include "api/error_mapping.hpp"
#include "api/preconditions.hpp"
#include "api/queries.hpp"
#include "api/query_reader.hpp"
#include "api/request_reader.hpp"
#include "events/json.hpp"

namespace clientele::api {
namespace {

using nlohmann::json;
using projections::Snapshot;

constexpr std::size_t kMaxReasonLength = 500;
constexpr std::size_t kMaxSearchText = 100;

OrderId order_in_path(const Request& request) {
  return OrderId(std::string(*request.param("orderId")));
}

bool by_customer(const Request& request) {
  return request.caller->role == Role::Customer;
}

Response no_such_order() {
  return failure(404, "there is no such order", {{"orderId", "order not found"}});
}

// The document of order `id` when `request`'s caller may see it — any order for an
// administrator, its own for a customer — else nullopt: another's order is as unknown.
Result<std::optional<json>> visible_order(const OrderRoutes& routes, const Snapshot& snapshot,
                                          const Request& request, const OrderId& id) {
  auto ns = live(snapshot, routes.model);
  if (!ns) return ns.error();
  auto doc = routes.model.find(snapshot, *ns, id);
  if (!doc) return doc.error();
  if (*doc && by_customer(request) && (**doc)["customerId"] != request.caller->id) {
    return std::optional<json>();
  }
  return doc;
}

// The answer holding the order of `doc`, with its ETag.
Response order_answer(int status, std::string_view message, const json& doc) {
  auto response = success(status, message, order_resource(doc));
  response.headers.emplace_back("ETag", etag(doc.value("version", std::uint64_t{0})));
  return response;
}

// The answer to a change `outcome` made to order `id`: the order as the read model holds it once
// it has folded the change, its ETag and position (changed_answer()).
Response changed_order(const OrderRoutes& routes, const OrderId& id,
                       const commands::Outcome& outcome, int status, std::string_view message) {
  return changed_answer(
      routes.read_your_writes, routes.store, outcome, status, message,
      [&](const Snapshot& snapshot) -> Result<std::optional<json>> {
        auto ns = live(snapshot, routes.model);
        if (!ns) return ns.error();
        auto doc = routes.model.find(snapshot, *ns, id);
        if (!doc || !*doc) return doc;
        return std::optional<json>(order_resource(**doc));
      },
      json{{"orderId", id}});
}

// ---- queries --------------------------------------------------------------------------------

Response get_order(const OrderRoutes& routes, const Request& request) {
  if (auto problems = QueryReader(request).finish(); !problems.empty()) {
    return validation_failed(problems);
  }
  const auto id = order_in_path(request);
  return answer_query(routes.read_your_writes, routes.store, request,
                      [&](const Snapshot& snapshot) {
                        auto doc = visible_order(routes, snapshot, request, id);
                        if (!doc) return error_response(doc.error());
                        if (!*doc) return no_such_order();
                        return order_answer(200, "order", **doc);
                      });
}

Response history(const OrderRoutes& routes, const Request& request) {
  if (auto problems = QueryReader(request).finish(); !problems.empty()) {
    return validation_failed(problems);
  }
  const auto id = order_in_path(request);
  return answer_query(
      routes.read_your_writes, routes.store, request, [&](const Snapshot& snapshot) {
        auto doc = visible_order(routes, snapshot, request, id);
        if (!doc) return error_response(doc.error());
        if (!*doc) return no_such_order();
        auto ns = live(snapshot, routes.model);
        if (!ns) return error_response(ns.error());
        auto entries = routes.model.history(snapshot, *ns, id);
        if (!entries) return error_response(entries.error());
        json out = json::array();
        for (auto& entry : *entries) {
          out.push_back(history_entry(std::move(entry), by_customer(request)));
        }
        return success(200, "order history", {{"orderId", id}, {"history", std::move(out)}});
      });
}

// A listing as a request asks for it.
struct OrderListing {
  projections::OrderQuery query;
  Paging paging;
};

std::optional<std::string> read_status(QueryReader& query) {
  const auto text = query.string("status", 30);
  if (text && !enum_from_string<order::Status>(*text)) {
    query.fail("status",
               "must be one of Placed, Processing, Shipped, Delivered, Cancelled, "
               "Return Requested, Returned");
    return std::nullopt;
  }
  return text;
}

// Reads a listing's parameters. A customer lists its own orders only; the customer in the path
// (GET /api/v1/customers/:customerId/orders) is the one listed.
OrderListing read_listing(const Request& request, std::vector<FieldError>& problems) {
  QueryReader query(request);
  OrderListing out;
  out.query.status = read_status(query);
  if (const auto owner = request.param("customerId")) {
    out.query.customer = CustomerId(std::string(*owner));
  } else if (const auto customer = query.string("customerId", 64)) {
    if (by_customer(request)) {
      query.fail("customerId", "only administrators list the orders of a customer");
    } else {
      out.query.customer = CustomerId(*customer);
    }
  }
  if (by_customer(request)) out.query.customer = CustomerId(request.caller->id);
  out.query.placed_after = read_instant(query, "placedAfter");
  out.query.placed_before = read_instant(query, "placedBefore");
  out.paging = read_paging(query, kMaxOrderListLimit);
  out.query.page = out.paging.request;
  problems = query.finish();
  return out;
}

Response list(const OrderRoutes& routes, const Request& request) {
  std::vector<FieldError> problems;
  const auto wanted = read_listing(request, problems);
  if (!problems.empty()) return validation_failed(problems);
  return answer_query(routes.read_your_writes, routes.store, request,
                      [&](const Snapshot& snapshot) {
                        auto ns = live(snapshot, routes.model);
                        if (!ns) return error_response(ns.error());
                        auto query = wanted.query;
                        return listing_answer(
                            wanted.paging,
                            [&](std::string after) {
                              query.page.after = std::move(after);
                              return routes.model.list(snapshot, *ns, query);
                            },
                            &projections::OrderPage::orders, "orders",
                            [&](const json& doc) { return order_resource(doc); });
                      });
}

Response search(const OrderRoutes& routes, const Request& request) {
  QueryReader query(request);
  const auto text = query.string("q", kMaxSearchText);
  if (!request.query_value("q")) {
    query.fail("q", "is required");
  } else if (text && text->empty()) {
    query.fail("q", "must not be empty");
  }
  const auto limit = query.integer("limit", 1, kMaxOrderSearchLimit).value_or(20);
  if (auto problems = query.finish(); !problems.empty()) return validation_failed(problems);
  std::optional<CustomerId> customer;
  if (by_customer(request)) customer = CustomerId(request.caller->id);
  return answer_query(
      routes.read_your_writes, routes.store, request, [&](const Snapshot& snapshot) {
        auto ns = live(snapshot, routes.model);
        if (!ns) return error_response(ns.error());
        auto found =
            routes.model.search(snapshot, *ns, *text, customer, static_cast<std::size_t>(limit));
        if (!found) return error_response(found.error());
        json orders = json::array();
        for (const auto& doc : *found) orders.push_back(order_resource(doc));
        return success(200, "orders", {{"orders", std::move(orders)}});
      });
}

// ---- changes --------------------------------------------------------------------------------

// The customer whose order `id` is: the caller, for a customer (the command refuses another's
// order as unknown); for an administrator, the order's customer as the write model knows it.
Result<CustomerId> owner_of(const OrderRoutes& routes, const Request& request, const OrderId& id) {
  if (by_customer(request)) return CustomerId(request.caller->id);
  return routes.orders.customer_of(id);
}

// Runs `command` on the order the path names, as the caller, if the order's version is still
// the one the request's If-Match names; answers the order after it.
Response change(const OrderRoutes& routes, const Request& request, const order::Command& command,
                std::string_view message) {
  const auto id = order_in_path(request);
  const auto expected = if_match(request);
  if (!expected) return error_response(expected.error());
  const auto customer = owner_of(routes, request, id);
  if (!customer) return error_response(customer.error());
  auto outcome = routes.orders.execute(*customer, id, command, request.actor(), *expected);
  if (!outcome) return error_response(outcome.error());
  return changed_order(routes, id, *outcome, 200, message);
}

// Reads a body of changes whose members are all optional; no body at all reads as {}.
const json& optional_body(const Request& request) {
  static const json empty = json::object();
  return request.body.is_null() ? empty : request.body;
}

std::optional<std::string> read_reason(RequestReader& body, std::string_view name,
                                       Presence presence = Presence::required) {
  return body.string(name, presence, kMaxReasonLength);
}

Response change_status(const OrderRoutes& routes, const Request& request) {
  RequestReader body(request.body);
  const auto status = body.string("status", Presence::required, 30);
  auto notes = read_reason(body, "notes", Presence::optional).value_or("");
  std::optional<order::Command> command;
  if (status) {
    const auto to = enum_from_string<order::Status>(*status);
    if (to == order::Status::Returned) {
      command = order::CompleteReturn{};
    } else if (to == order::Status::Processing || to == order::Status::Shipped ||
               to == order::Status::Delivered) {
      command = order::ChangeStatus{*to, std::move(notes)};
    } else {
      body.fail("status",
                "must be one of Processing, Shipped, Delivered, Returned (cancellations and "
                "returns have their own routes)");
    }
  }
  if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
  return change(routes, request, *command, "order status changed");
}

Response cancel(const OrderRoutes& routes, const Request& request) {
  RequestReader body(request.body);
  auto reason = read_reason(body, "reason");
  if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
  return change(routes, request, order::Cancel{std::move(*reason)}, "order cancelled");
}

Response request_return(const OrderRoutes& routes, const Request& request) {
  RequestReader body(request.body);
  auto reason = read_reason(body, "reason");
  if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
  return change(routes, request, order::RequestReturn{std::move(*reason)}, "return requested");
}

Response approve_return(const OrderRoutes& routes, const Request& request) {
  RequestReader body(optional_body(request));
  auto notes = read_reason(body, "notes", Presence::optional).value_or("");
  if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
  return change(routes, request, order::ApproveReturn{std::move(notes)}, "return approved");
}

Response reject_return(const OrderRoutes& routes, const Request& request) {
  RequestReader body(request.body);
  auto reason = read_reason(body, "reason");
  if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
  return change(routes, request, order::RejectReturn{std::move(*reason)}, "return rejected");
}

// ---- placement ------------------------------------------------------------------------------

std::vector<order::ItemRequest> read_items(RequestReader& body) {
  std::vector<order::ItemRequest> out;
  auto lines = body.objects("items", Presence::required, order::kMaxItems);
  if (!lines) return out;
  if (lines->empty())
    body.fail("items", "must hold 1 to " + std::to_string(order::kMaxItems) + " lines");
  for (auto& line : *lines) {
    order::ItemRequest item;
    item.product_id = ProductId(line.string("productId", Presence::required, 64).value_or(""));
    item.product_name = line.string("productName", Presence::required, 200).value_or("");
    item.quantity =
        line.integer("quantity", Presence::required, 1, order::kMaxQuantity).value_or(0);
    item.unit_price =
        line.integer("unitPrice", Presence::required, 0, std::numeric_limits<order::Money>::max())
            .value_or(0);
    out.push_back(std::move(item));
  }
  return out;
}

// The delivery address: `deliveryAddressId` (one of the caller's addresses) or
// `deliveryAddress` (an address given with the order), exactly one of them.
std::optional<commands::DeliveryAddress> read_delivery(RequestReader& body) {
  const bool by_id = body.has("deliveryAddressId");
  const bool given = body.has("deliveryAddress");
  if (by_id == given) {
    body.fail("deliveryAddressId", "give either deliveryAddressId or deliveryAddress");
    // Read both anyway, so that neither is reported unknown.
    body.string("deliveryAddressId", Presence::optional, 64);
    body.object("deliveryAddress", Presence::optional);
    return std::nullopt;
  }
  if (by_id) {
    auto id = body.string("deliveryAddressId", Presence::required, 64);
    if (!id) return std::nullopt;
    return commands::DeliveryAddress(AddressId(std::move(*id)));
  }
  auto address = body.object("deliveryAddress", Presence::required);
  if (!address) return std::nullopt;
  return commands::DeliveryAddress(read_postal_address(*address));
}

Response place_once(const OrderRoutes& routes, const Request& request,
                    const Idempotency::Retry& retry) {
  RequestReader body(request.body);
  commands::PlaceOrder place;
  place.customer_id = CustomerId(request.caller->id);
  place.items = read_items(body);
  place.currency = body.string("currency", Presence::required, 3).value_or("");
  auto delivery = read_delivery(body);
  place.expected_total =
      body.integer("totalAmount", Presence::optional, 0, std::numeric_limits<order::Money>::max());
  if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
  place.delivery_address = std::move(*delivery);
  // With an Idempotency-Key, the id is kept with the key before the order is appended: a retry
  // after an unknown outcome places under the same id, or answers the order if it was placed.
  if (const auto& earlier = retry.earlier()) place.earlier_id = OrderId(*earlier);
  place.on_numbered = [&retry](const OrderId& id) { return retry.set_aside(id.str()); };
  auto placed = routes.orders.place(place, request.actor());
  if (!placed) return error_response(placed.error());
  auto response = changed_order(routes, placed->order_id, placed->outcome, 201, "order placed");
  response.headers.emplace_back("Location", "/api/v1/orders/" + placed->order_id.str());
  return response;
}

Response place(const OrderRoutes& routes, const Request& request) {
  return routes.idempotency.run(
      request, [&](const Idempotency::Retry& retry) { return place_once(routes, request, retry); });
}

constexpr TableRoute<OrderRoutes> kRoutes[] = {
    {Method::Post, "/api/v1/orders", place, Body::json, Access::customer},
    {Method::Get, "/api/v1/orders", list, Body::none, Access::signed_in},
    {Method::Get, "/api/v1/orders/filter", list, Body::none, Access::signed_in},
    {Method::Get, "/api/v1/orders/search", search, Body::none, Access::signed_in},
    {Method::Get, "/api/v1/orders/:orderId", get_order, Body::none, Access::signed_in},
    {Method::Get, "/api/v1/orders/:orderId/history", history, Body::none, Access::signed_in},
    {Method::Patch, "/api/v1/orders/:orderId/status", change_status, Body::json,
     Access::administrator},
    {Method::Post, "/api/v1/orders/:orderId/cancel", cancel, Body::json, Access::signed_in},
    {Method::Post, "/api/v1/orders/:orderId/return", request_return, Body::json, Access::signed_in},
    {Method::Patch, "/api/v1/orders/:orderId/return/approve", approve_return, Body::json,
     Access::administrator},
    {Method::Patch, "/api/v1/orders/:orderId/return/reject", reject_return, Body::json,
     Access::administrator},
    {Method::Get, "/api/v1/customers/:customerId/orders", list, Body::none, Access::administrator},
};

}  // namespace

json order_resource(const json& doc) {
  json out;
  for (const char* name :
       {"orderId", "customerId", "items", "currency", "totalAmount", "status", "returnStatus",
        "deliveryAddress", "cancellationReason", "returnReason", "deliveredAt", "updatedAt"}) {
    out[name] = doc.value(name, json());
  }
  out["orderDate"] = doc.value("placedAt", json());
  out["createdAt"] = doc.value("placedAt", json());
  return out;
}

Result<json> customer_orders(const projections::Orders& model, const Snapshot& snapshot,
                             const CustomerId& customer, bool for_customer) {
  auto ns = live(snapshot, model);
  if (!ns) return ns.error();
  projections::OrderQuery query;
  query.customer = customer;
  query.page = {.descending = false, .limit = kMaxOrderListLimit, .after = {}};
  json out = json::array();
  do {
    auto page = model.list(snapshot, *ns, query);
    if (!page) return page.error();
    for (const auto& doc : page->orders) {
      auto entries = model.history(snapshot, *ns, OrderId(doc.at("orderId").get<std::string>()));
      if (!entries) return entries.error();
      auto order = order_resource(doc);
      order["history"] = json::array();
      for (auto& entry : *entries) {
        order["history"].push_back(history_entry(std::move(entry), for_customer));
      }
      out.push_back(std::move(order));
    }
    query.page.after = std::move(page->next);
  } while (!query.page.after.empty());
  return out;
}

Result<void> add_order_routes(Router& router, const OrderRoutes& routes) {
  return add_route_table(router, routes, kRoutes);
}

}  // namespace clientele::api
