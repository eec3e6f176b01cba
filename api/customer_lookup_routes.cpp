#include "api/customer_lookup_routes.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <string>

#include "api/envelope.hpp"
#include "api/error_mapping.hpp"
#include "api/queries.hpp"
#include "api/query_reader.hpp"
#include "api/request_reader.hpp"

namespace clientele::api {
namespace {

using nlohmann::json;
using projections::CustomerSearch;
using projections::PlaceCounts;
using projections::Snapshot;

// The longest text member of an advanced search.
constexpr std::size_t kMaxTextLength = 100;

// A ListRequest that never lists erased customers.
ListRequest unerased() {
  ListRequest out;
  out.query.excluded_statuses = {"Erased"};
  return out;
}

// Reads the text member `name` of an advanced search; with `fragment`, the search model finds the
// customers by it, so it must be kMinFragment characters at least.
std::optional<std::string> read_text(RequestReader& body, std::string_view name,
                                     ListRequest& wanted, bool fragment) {
  auto text = body.string(name, Presence::optional, kMaxTextLength);
  if (!text) return std::nullopt;
  if (fragment && text->size() < CustomerSearch::kMinFragment) {
    body.fail(name,
              "must be at least " + std::to_string(CustomerSearch::kMinFragment) + " characters");
    return std::nullopt;
  }
  if (text->empty()) {
    body.fail(name, "must not be empty");
    return std::nullopt;
  }
  if (fragment) wanted.fragments.push_back({std::string(name), *text});
  return text;
}

// Reads the created range members of an advanced search.
void read_created(RequestReader& body, ListRequest& wanted) {
  for (const auto& [name, bound] : {std::pair{"createdAfter", &wanted.query.created_after},
                                    std::pair{"createdBefore", &wanted.query.created_before}}) {
    const auto text = body.string(name, Presence::optional, 24);
    if (!text) continue;
    *bound = instant(*text);
    if (!*bound)
      body.fail(name, "must be a date (YYYY-MM-DD) or a UTC time (YYYY-MM-DDThh:mm:ssZ)");
  }
}

// Reads the location, tags and status members of an advanced search.
void read_filters(RequestReader& body, ListRequest& wanted) {
  auto& list = wanted.query;
  list.city = body.string("city", Presence::optional, kMaxTextLength);
  if (const auto country = body.string("country", Presence::optional, 2)) {
    list.country = country_code(*country);
    if (!list.country) body.fail("country", "must be an ISO 3166-1 alpha-2 code");
  }
  if (auto tags = body.strings("tags", Presence::optional, kMaxListTags, 30)) {
    if (tags->empty() || std::any_of(tags->begin(), tags->end(),
                                     [](const std::string& tag) { return tag.empty(); })) {
      body.fail("tags", "must hold 1 to 10 tags, none empty");
    }
    list.tags = std::move(*tags);
  }
  if (const auto active = body.boolean("isActive", Presence::optional)) {
    if (*active) {
      list.status = "Active";
    } else {
      list.excluded_statuses.push_back("Active");
    }
  }
  read_created(body, wanted);
}

// Reads the paging and sorting members of an advanced search.
void read_body_paging(RequestReader& body, ListRequest& wanted) {
  auto& list = wanted.query;
  list.limit = static_cast<std::size_t>(
      body.integer("limit", Presence::optional, 1, kMaxListLimit).value_or(20));
  const auto page = body.integer("page", Presence::optional, 1, kMaxPage);
  const auto cursor = body.string("cursor", Presence::optional, 200);
  if (const auto sort = body.string("sortBy", Presence::optional, 20)) {
    if (const auto named = sort_named(*sort)) {
      list.sort = *named;
    } else {
      body.fail("sortBy", "must be one of createdAt, totalOrders, totalOrderValue, lastOrderDate");
    }
  }
  if (const auto order = body.string("sortOrder", Presence::optional, 4)) {
    if (*order != "asc" && *order != "desc") body.fail("sortOrder", "must be one of asc, desc");
    list.descending = *order != "asc";
  }
  if (page && cursor) body.fail("page", "must not be sent with cursor");
  wanted.page = page.value_or(1);
  if (cursor) {
    list.after = *cursor;
    wanted.by_cursor = true;
  }
}

Response advanced_search(const CustomerRoutes& routes, const Request& request) {
  if (auto problems = QueryReader(request).finish(); !problems.empty()) {
    return validation_failed(problems);
  }
  RequestReader body(request.body);
  auto wanted = unerased();
  auto& match = wanted.match;
  read_text(body, "query", wanted, true);
  match.first_name = read_text(body, "firstName", wanted, true);
  match.last_name = read_text(body, "lastName", wanted, true);
  match.email = read_text(body, "email", wanted, true);
  match.company_name = read_text(body, "companyName", wanted, false);
  match.verified = body.boolean("isVerified", Presence::optional);
  read_filters(body, wanted);
  read_body_paging(body, wanted);
  if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
  return answer_list(routes, request, wanted);
}

// Answers the listing of unerased customers whose filters `read` reads from the query (after
// the paging and sorting parameters).
Response listing(const CustomerRoutes& routes, const Request& request,
                 const std::function<void(QueryReader&, ListRequest&)>& read) {
  QueryReader query(request);
  auto wanted = unerased();
  read_list_paging(query, wanted);
  read(query, wanted);
  if (auto problems = query.finish(); !problems.empty()) return validation_failed(problems);
  return answer_list(routes, request, wanted);
}

Response by_tags(const CustomerRoutes& routes, const Request& request) {
  return listing(routes, request, [&](QueryReader& query, ListRequest& wanted) {
    const auto text = percent_decode(*request.param("tags"));
    auto tags = text ? split_tags(*text) : std::nullopt;
    if (!tags) return query.fail("tags", "must be 1 to 10 tags separated by commas");
    wanted.query.tags = std::move(*tags);
  });
}

Response by_location(const CustomerRoutes& routes, const Request& request) {
  return listing(routes, request, [&](QueryReader& query, ListRequest& wanted) {
    wanted.query.city = query.string("city", kMaxTextLength);
    wanted.query.country = read_country(query);
    if (!request.query_value("city") && !request.query_value("country")) {
      query.fail("city", "or country is required");
    }
  });
}

// What an available-locations route lists.
enum class Place { countries, cities, states };

// The counts of the places `what` names, of `country` only when given.
std::map<std::string, std::int64_t> counts_of(const std::map<std::string, PlaceCounts>& places,
                                              Place what,
                                              const std::optional<std::string>& country) {
  std::map<std::string, std::int64_t> out;
  for (const auto& [code, place] : places) {
    if (country && code != *country) continue;
    if (what == Place::countries) {
      out[code] += place.customers;
      continue;
    }
    for (const auto& [name, count] : what == Place::cities ? place.cities : place.states)
      out[name] += count;
  }
  return out;
}

// The places `what` names customers are located in, sorted by name, with their counts.
Response available(const CustomerRoutes& routes, const Request& request, Place what) {
  QueryReader query(request);
  std::optional<std::string> country;
  if (what != Place::countries) country = read_country(query);
  if (auto problems = query.finish(); !problems.empty()) return validation_failed(problems);
  const char* name = what == Place::countries ? "country"
                     : what == Place::cities  ? "city"
                                              : "state";
  const char* plural = what == Place::countries ? "countries"
                       : what == Place::cities  ? "cities"
                                                : "states";
  return answer_query(routes.read_your_writes, routes.store, request,
                      [&](const Snapshot& snapshot) {
                        auto ns = live(snapshot, routes.analytics);
                        if (!ns) return error_response(ns.error());
                        auto places = routes.analytics.places(snapshot, *ns);
                        if (!places) return error_response(places.error());
                        json items = json::array();
                        for (const auto& [value, count] : counts_of(*places, what, country))
                          items.push_back({{name, value}, {"customerCount", count}});
                        json data = {{plural, std::move(items)}};
                        if (what != Place::countries)
                          data["country"] = country ? json(*country) : json();
                        return success(200, std::string("available ") + plural, std::move(data));
                      });
}

Response available_countries(const CustomerRoutes& routes, const Request& request) {
  return available(routes, request, Place::countries);
}

Response available_cities(const CustomerRoutes& routes, const Request& request) {
  return available(routes, request, Place::cities);
}

Response available_states(const CustomerRoutes& routes, const Request& request) {
  return available(routes, request, Place::states);
}

struct LookupRoute {
  Method method;
  const char* path;
  Response (*answer)(const CustomerRoutes&, const Request&);
  Body body;
};

constexpr LookupRoute kRoutes[] = {
    {Method::Post, "/api/v1/customers/search", advanced_search, Body::json},
    {Method::Get, "/api/v1/customers/tags/:tags", by_tags, Body::none},
    {Method::Get, "/api/v1/customers/location/search", by_location, Body::none},
    {Method::Get, "/api/v1/customers/available/countries", available_countries, Body::none},
    {Method::Get, "/api/v1/customers/available/cities", available_cities, Body::none},
    {Method::Get, "/api/v1/customers/available/states", available_states, Body::none},
};

}  // namespace

Result<void> add_customer_lookup_routes(Router& router, const CustomerRoutes& routes) {
  for (const auto& route : kRoutes) {
    auto added = router.add(
        route.method, route.path,
        [routes, answer = route.answer](const Request& request) { return answer(routes, request); },
        route.body, Access::administrator);
    if (!added) return added;
  }
  return clientele::success();
}

}  // namespace clientele::api
