#include "api/address_routes.hpp"

#include <algorithm>
#include <string>

#include "api/auth_routes.hpp"
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

// Whose book `request` is about: the :customerId of an administrator route, else the caller.
CustomerId owner(const Request& request) {
  if (const auto id = request.param("customerId")) return CustomerId(std::string(*id));
  return CustomerId(request.caller->id);
}

AddressId address_of(const Request& request) {
  return AddressId(std::string(*request.param("addressId")));
}

// The address resource of a document of the address book (projections/address_book.hpp).
json address_resource(const json& doc) {
  json out{{"addressLine1", doc.at("line1")},
           {"addressLine2", doc.at("line2")},
           {"createdAt", doc.at("addedAt")}};
  for (const char* name : {"addressId", "alias", "kind", "recipientName", "phone", "city", "state",
                           "postalCode", "country", "isDefault", "updatedAt"}) {
    out[name] = doc.at(name);
  }
  return out;
}

// The address resource of an entry of the write side's book; it knows no times.
json address_resource(const customer::Address& address, bool is_default) {
  const auto& p = address.postal;
  return {{"addressId", address.id},           {"alias", address.alias}, {"kind", address.kind},
          {"recipientName", p.recipient_name}, {"phone", p.phone},       {"addressLine1", p.line1},
          {"addressLine2", p.line2},           {"city", p.city},         {"state", p.state},
          {"postalCode", p.postal_code},       {"country", p.country},   {"isDefault", is_default}};
}

// The customer's version (its ETag) on `snapshot`; nullopt when there is no such customer.
Result<std::optional<std::uint64_t>> customer_version(const AddressRoutes& routes,
                                                      const Snapshot& snapshot,
                                                      const CustomerId& customer) {
  auto ns = live(snapshot, routes.profiles);
  if (!ns) return ns.error();
  auto profile = routes.profiles.find(snapshot, *ns, customer);
  if (!profile) return profile.error();
  if (!*profile) return std::optional<std::uint64_t>();
  return std::optional<std::uint64_t>((*profile)->value("version", std::uint64_t{0}));
}

Response list(const AddressRoutes& routes, const Request& request) {
  if (auto problems = QueryReader(request).finish(); !problems.empty()) {
    return validation_failed(problems);
  }
  const auto customer = owner(request);
  return answer_query(
      routes.read_your_writes, routes.store, request, [&](const Snapshot& snapshot) {
        auto version = customer_version(routes, snapshot, customer);
        if (!version) return error_response(version.error());
        if (!*version) return failure(404, "there is no such customer");
        auto addresses = address_resources(routes.book, snapshot, customer);
        if (!addresses) return error_response(addresses.error());
        auto response = success(200, "addresses", {{"addresses", std::move(*addresses)}});
        response.headers.emplace_back("ETag", etag(**version));
        return response;
      });
}

// What the fields of an address read from a body hold; the reader records their problems.
struct AddressFields {
  std::string alias;
  AddressKind kind = AddressKind::Home;
  PostalAddress postal;
};

AddressKind read_kind(RequestReader& body) {
  const auto name = body.string("kind", Presence::optional);
  if (!name) return AddressKind::Home;
  const auto kind = enum_from_string<AddressKind>(*name);
  if (!kind) body.fail("kind", "must be one of home, work, other");
  return kind.value_or(AddressKind::Home);
}

// Reads the fields POST and PUT share.
AddressFields read_address(RequestReader& body) {
  AddressFields out;
  out.alias = body.string("alias").value_or("");
  out.kind = read_kind(body);
  out.postal = read_postal_address(body);
  return out;
}

// Runs `command` on the book `request` is about, as its caller, if the customer's version is
// still the one its If-Match names.
Result<commands::Outcome> run(const AddressRoutes& routes, const Request& request,
                              const customer::Command& command) {
  const auto expected = if_match(request);
  if (!expected) return expected.error();
  return routes.customers.execute(owner(request), command, request.actor(), *expected);
}

// The address `id` as the write side holds it now, for the answer to a change of it: the change
// is made, so when the book cannot be read (or a later change removed it), just its id.
json current_address(const AddressRoutes& routes, const Request& request, const AddressId& id) {
  const auto loaded = routes.customers.load(owner(request));
  if (!loaded) return {{"addressId", id}};
  const auto& state = loaded->state;
  const auto it = std::ranges::find(state.addresses, id, &customer::Address::id);
  if (it == state.addresses.end()) return {{"addressId", id}};
  return address_resource(*it, state.default_address == id);
}

// The answer to a change the customer's book took: its position and the customer's new ETag.
Response changed(int status, std::string_view message, json data,
                 const commands::Outcome& outcome) {
  auto response = success(status, message, std::move(data));
  add_position(response, outcome);
  response.headers.emplace_back("ETag", etag(outcome.version));
  return response;
}

Response add_once(const AddressRoutes& routes, const Request& request) {
  RequestReader body(request.body);
  auto fields = read_address(body);
  const auto make_default = body.boolean("isDefault", Presence::optional).value_or(false);
  if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
  const auto id = routes.new_id();
  auto added = run(routes, request,
                   customer::AddAddress{id, std::move(fields.alias), fields.kind,
                                        std::move(fields.postal), make_default});
  if (!added) return error_response(added.error());
  auto response = changed(201, "address added", current_address(routes, request, id), *added);
  response.headers.emplace_back("Location", request.path + "/" + id.str());
  return response;
}

Response add(const AddressRoutes& routes, const Request& request) {
  return routes.idempotency.run(request, [&] { return add_once(routes, request); });
}

Response update(const AddressRoutes& routes, const Request& request) {
  RequestReader body(request.body);
  auto fields = read_address(body);
  if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
  const auto id = address_of(request);
  auto updated = run(
      routes, request,
      customer::UpdateAddress{id, std::move(fields.alias), fields.kind, std::move(fields.postal)});
  if (!updated) return error_response(updated.error());
  return changed(200, "address updated", current_address(routes, request, id), *updated);
}

Response remove(const AddressRoutes& routes, const Request& request) {
  auto removed = run(routes, request, customer::RemoveAddress{address_of(request)});
  if (!removed) return error_response(removed.error());
  return changed(200, "address removed", nullptr, *removed);
}

Response set_default(const AddressRoutes& routes, const Request& request) {
  auto set = run(routes, request, customer::SetDefaultAddress{address_of(request)});
  if (!set) return error_response(set.error());
  return changed(200, "default address set", nullptr, *set);
}

struct AddressRoute {
  Method method;
  const char* path;  // below the book: /api/v1/customers/me/addresses or .../:customerId/...
  Response (*answer)(const AddressRoutes&, const Request&);
  Body body;
};

constexpr AddressRoute kRoutes[] = {
    {Method::Get, "", list, Body::none},
    {Method::Post, "", add, Body::json},
    {Method::Put, "/:addressId", update, Body::json},
    {Method::Delete, "/:addressId", remove, Body::none},
    {Method::Patch, "/:addressId/default", set_default, Body::none},
};

}  // namespace

PostalAddress read_postal_address(RequestReader& body) {
  PostalAddress p;
  p.recipient_name = body.string("recipientName").value_or("");
  p.phone = body.string("phone", Presence::optional).value_or("");
  p.line1 = body.string("addressLine1").value_or("");
  p.line2 = body.string("addressLine2", Presence::optional).value_or("");
  p.city = body.string("city").value_or("");
  p.state = body.string("state", Presence::optional).value_or("");
  p.postal_code = body.string("postalCode", Presence::optional).value_or("");
  p.country = body.string("country").value_or("");
  return p;
}

Result<json> address_resources(const projections::AddressBook& book, const Snapshot& snapshot,
                               const CustomerId& customer) {
  auto ns = live(snapshot, book);
  if (!ns) return ns.error();
  auto addresses = book.addresses(snapshot, *ns, customer);
  if (!addresses) return addresses.error();
  json out = json::array();
  for (const auto& doc : *addresses) out.push_back(address_resource(doc));
  return out;
}

Result<void> add_address_routes(Router& router, const AddressRoutes& routes) {
  constexpr std::pair<const char*, Access> kBooks[] = {
      {"/api/v1/customers/me/addresses", Access::customer},
      {"/api/v1/customers/:customerId/addresses", Access::administrator},
  };
  for (const auto& [book, access] : kBooks) {
    for (const auto& route : kRoutes) {
      auto added = router.add(
          route.method, std::string(book) + route.path,
          [routes, answer = route.answer](const Request& request) {
            return answer(routes, request);
          },
          route.body, access);
      if (!added) return added;
    }
  }
  return clientele::success();
}

}  // namespace clientele::api
