#include "api/customer_routes.hpp"

#include <cctype>
#include <unordered_set>

#include "api/customer_fields.hpp"
#include "api/envelope.hpp"
#include "api/error_mapping.hpp"
#include "api/preconditions.hpp"
#include "api/queries.hpp"
#include "api/query_reader.hpp"
#include "events/json.hpp"

namespace clientele::api {
namespace {

using nlohmann::json;
using projections::CustomerSearch;
using projections::ListPage;
using projections::ListQuery;
using projections::ListSort;
using projections::Namespace;
using projections::Snapshot;

// The deepest page number the list walks to; deeper pages are reached by cursor.
constexpr std::int64_t kMaxPage = 1000;
// The most customers a search term of the list may find.
constexpr std::size_t kMaxSearchTermHits = 10'000;

// Answers `query` as answer_query() in queries.hpp does, on the routes' store.
Response answer_query(const CustomerRoutes& routes, const Request& request,
                      const std::function<Response(const Snapshot&)>& query) {
  return api::answer_query(routes.read_your_writes, routes.store, request, query);
}

Response no_such_customer() {
  return failure(404, "there is no such customer");
}

// Finds a customer in the live namespace of the profile model: nullopt when there is none.
using Lookup =
    std::function<Result<std::optional<CustomerId>>(const Snapshot&, const Namespace& profiles)>;

// The customer `id` on `snapshot` as the resource `viewer` sees, with its ETag.
Response customer_answer(const CustomerRoutes& routes, const Snapshot& snapshot,
                         const Namespace& ns, const CustomerId& id, Viewer viewer, int status,
                         std::string_view message) {
  auto profile = routes.profiles.find(snapshot, ns, id);
  if (!profile) return error_response(profile.error());
  if (!*profile) return no_such_customer();
  auto response = success(status, message, customer_resource(**profile, viewer));
  response.headers.emplace_back("ETag", etag((*profile)->value("version", std::uint64_t{0})));
  return response;
}

// The customer `lookup` finds, as the customer resource with its ETag.
Response one_customer(const CustomerRoutes& routes, const Request& request, const Lookup& lookup,
                      Viewer viewer = Viewer::staff) {
  if (auto problems = QueryReader(request).finish(); !problems.empty()) {
    return validation_failed(problems);
  }
  return answer_query(routes, request, [&](const Snapshot& snapshot) {
    auto ns = live(snapshot, routes.profiles);
    if (!ns) return error_response(ns.error());
    auto id = lookup(snapshot, *ns);
    if (!id) return error_response(id.error());
    if (!*id) return no_such_customer();
    return customer_answer(routes, snapshot, *ns, **id, viewer, 200, "customer");
  });
}

Response me(const CustomerRoutes& routes, const Request& request) {
  return one_customer(
      routes, request,
      [&](const Snapshot&, const Namespace&) {
        return Result<std::optional<CustomerId>>(CustomerId(request.caller->id));
      },
      Viewer::customer);
}

Response by_id(const CustomerRoutes& routes, const Request& request) {
  return one_customer(routes, request, [&](const Snapshot&, const Namespace&) {
    return Result<std::optional<CustomerId>>(CustomerId(std::string(*request.param("customerId"))));
  });
}

// Finds a customer by the path parameter `name` with `find` (CustomerProfiles::find_by_email or
// find_by_username); a parameter that does not decode finds none.
using FindBy = Result<std::optional<CustomerId>> (projections::CustomerProfiles::*)(
    const Snapshot&, const Namespace&, std::string_view) const;
Response by_lookup(const CustomerRoutes& routes, const Request& request, std::string_view name,
                   FindBy find) {
  return one_customer(routes, request, [&](const Snapshot& snapshot, const Namespace& ns) {
    const auto value = percent_decode(*request.param(name));
    if (!value) return Result<std::optional<CustomerId>>(std::nullopt);
    return (routes.profiles.*find)(snapshot, ns, *value);
  });
}

Response by_email(const CustomerRoutes& routes, const Request& request) {
  return by_lookup(routes, request, "email", &projections::CustomerProfiles::find_by_email);
}

Response by_username(const CustomerRoutes& routes, const Request& request) {
  return by_lookup(routes, request, "username", &projections::CustomerProfiles::find_by_username);
}

// The customer resources of `ids`, in order, from the profile model on `snapshot`.
Result<json> customer_resources(const CustomerRoutes& routes, const Snapshot& snapshot,
                                const std::vector<CustomerId>& ids) {
  auto ns = live(snapshot, routes.profiles);
  if (!ns) return ns.error();
  json out = json::array();
  for (const auto& id : ids) {
    auto profile = routes.profiles.find(snapshot, *ns, id);
    if (!profile) return profile.error();
    if (*profile) out.push_back(customer_resource(**profile, Viewer::staff));
  }
  return out;
}

// A list request as its query asks for it.
struct ListRequest {
  ListQuery query;
  std::optional<std::string> search_term;  // only customers the search model finds by it
  std::int64_t page = 1;                   // walked to from the start, unless by cursor
  bool by_cursor = false;                  // query.after is the cursor the client sent
};

// A date ("YYYY-MM-DD", its midnight UTC) or a UTC time in parameter `name`.
std::optional<Timestamp> read_instant(QueryReader& query, std::string_view name) {
  const auto text = query.string(name, 24);
  if (!text) return std::nullopt;
  if (auto instant = parse_timestamp(*text)) return instant;
  if (auto date = parse_date(*text)) return std::chrono::sys_days{*date};
  query.fail(name, "must be a date (YYYY-MM-DD) or a UTC time (YYYY-MM-DDThh:mm:ssZ)");
  return std::nullopt;
}

// ISO 3166-1 alpha-2 in parameter "country", in upper case.
std::optional<std::string> read_country(QueryReader& query) {
  auto country = query.string("country", 2);
  if (!country) return std::nullopt;
  if (country->size() != 2 || !std::isalpha(static_cast<unsigned char>((*country)[0])) ||
      !std::isalpha(static_cast<unsigned char>((*country)[1]))) {
    query.fail("country", "must be an ISO 3166-1 alpha-2 code");
    return std::nullopt;
  }
  for (auto& c : *country) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return country;
}

// The comma-separated tags of parameter "tags" (at most 10, none empty).
std::vector<std::string> read_tags(QueryReader& query) {
  const auto text = query.string("tags", 1000);
  if (!text) return {};
  std::vector<std::string> tags;
  for (std::size_t start = 0;;) {
    const auto comma = text->find(',', start);
    tags.push_back(text->substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  const bool empty_tag =
      std::any_of(tags.begin(), tags.end(), [](const std::string& tag) { return tag.empty(); });
  if (empty_tag || tags.size() > 10) {
    query.fail("tags", "must be 1 to 10 tags separated by commas");
    return {};
  }
  return tags;
}

constexpr std::pair<std::string_view, ListSort> kSorts[] = {
    {"createdAt", ListSort::CreatedAt},
    {"totalOrders", ListSort::TotalOrders},
    {"totalOrderValue", ListSort::TotalOrderValue},
    {"lastOrderDate", ListSort::LastOrderDate},
};

// The list request of `request`'s query; its problems go to `problems`.
ListRequest read_list_request(const Request& request, std::vector<FieldError>& problems) {
  QueryReader query(request);
  ListRequest out;
  auto& list = out.query;
  list.limit = static_cast<std::size_t>(query.integer("limit", 1, kMaxListLimit).value_or(20));
  const auto page = query.integer("page", 1, kMaxPage);
  const auto cursor = query.string("cursor", 200);
  list.status = query.one_of("status", {"Active", "Inactive", "Suspended", "Erased"});
  list.type = query.one_of("type", {"Regular", "Premium", "VIP"});
  list.country = read_country(query);
  list.city = query.string("city", 100);
  list.tags = read_tags(query);
  list.created_after = read_instant(query, "createdAfter");
  list.created_before = read_instant(query, "createdBefore");
  if (const auto sort = query.one_of(
          "sortBy", {"createdAt", "totalOrders", "totalOrderValue", "lastOrderDate"})) {
    for (const auto& [name, value] : kSorts) {
      if (name == *sort) list.sort = value;
    }
  }
  if (const auto order = query.one_of("sortOrder", {"asc", "desc"})) {
    list.descending = *order == "desc";
  }
  out.search_term = query.string("searchTerm", 100);
  if (out.search_term && out.search_term->size() < CustomerSearch::kMinFragment) {
    query.fail("searchTerm",
               "must be at least " + std::to_string(CustomerSearch::kMinFragment) + " characters");
  }
  if (page && cursor) query.fail("page", "must not be sent with cursor");
  out.page = page.value_or(1);
  if (cursor) {
    list.after = *cursor;
    out.by_cursor = true;
  }
  problems = query.finish();
  return out;
}

// One page of the listing from `query.after`, at most query.limit customers. With `among` (the
// customers a search term found), only those: the listing is read on, in pieces no longer than
// what the page still lacks, until the page is full or the listing ends, so that the cursor
// stays exact.
Result<ListPage> list_page(const CustomerRoutes& routes, const Snapshot& snapshot,
                           const Namespace& ns, ListQuery query,
                           const std::unordered_set<std::string>* among) {
  if (among == nullptr) return routes.list.list(snapshot, ns, query);
  ListPage page;
  if (among->empty()) return page;
  const auto limit = query.limit;
  do {
    query.limit = limit - page.customers.size();
    auto piece = routes.list.list(snapshot, ns, query);
    if (!piece) return piece.error();
    for (auto& id : piece->customers) {
      if (among->contains(id.str())) page.customers.push_back(std::move(id));
    }
    page.next = piece->next;
    query.after = piece->next;
  } while (page.customers.size() < limit && !page.next.empty());
  return page;
}

// The page `wanted` asks for: from its cursor, or walked to from the start by page number.
Result<ListPage> wanted_page(const CustomerRoutes& routes, const Snapshot& snapshot,
                             const ListRequest& wanted) {
  auto ns = live(snapshot, routes.list);
  if (!ns) return ns.error();
  std::optional<std::unordered_set<std::string>> among;
  if (wanted.search_term) {
    auto search_ns = live(snapshot, routes.search);
    if (!search_ns) return search_ns.error();
    auto found =
        routes.search.search(snapshot, *search_ns, *wanted.search_term, kMaxSearchTermHits);
    if (!found) return make_error(found.error().code, "searchTerm", found.error().message);
    among.emplace();
    for (const auto& id : *found) among->insert(id.str());
  }
  auto query = wanted.query;
  for (std::int64_t page = 1;; ++page) {
    auto listed = list_page(routes, snapshot, *ns, query, among ? &*among : nullptr);
    if (!listed) return listed;
    if (page == wanted.page || listed->next.empty()) {
      if (page != wanted.page) return ListPage{};  // the listing ends before the page asked for
      return listed;
    }
    query.after = listed->next;
  }
}

Response list(const CustomerRoutes& routes, const Request& request) {
  std::vector<FieldError> problems;
  const auto wanted = read_list_request(request, problems);
  if (!problems.empty()) return validation_failed(problems);
  return answer_query(routes, request, [&](const Snapshot& snapshot) {
    auto page = wanted_page(routes, snapshot, wanted);
    if (!page) {
      if (page.error().field == "after") {
        return validation_failed({{"cursor", "is not a cursor of this listing"}});
      }
      return error_response(page.error());
    }
    auto customers = customer_resources(routes, snapshot, page->customers);
    if (!customers) return error_response(customers.error());
    json pagination = {{"itemsPerPage", wanted.query.limit},
                       {"hasNextPage", !page->next.empty()},
                       {"hasPreviousPage", wanted.by_cursor || wanted.page > 1},
                       {"nextCursor", page->next.empty() ? json() : json(page->next)}};
    if (!wanted.by_cursor) pagination["currentPage"] = wanted.page;
    return success(200, "customers",
                   {{"customers", std::move(*customers)}, {"pagination", std::move(pagination)}});
  });
}

Response search(const CustomerRoutes& routes, const Request& request) {
  QueryReader query(request);
  const auto fragment = query.string("q", 100);
  if (!request.query_value("q")) query.fail("q", "is required");
  if (fragment && fragment->size() < CustomerSearch::kMinFragment) {
    query.fail("q",
               "must be at least " + std::to_string(CustomerSearch::kMinFragment) + " characters");
  }
  const auto limit = query.integer("limit", 1, kMaxSearchLimit).value_or(20);
  if (auto problems = query.finish(); !problems.empty()) return validation_failed(problems);
  return answer_query(routes, request, [&](const Snapshot& snapshot) {
    auto ns = live(snapshot, routes.search);
    if (!ns) return error_response(ns.error());
    auto found = routes.search.search(snapshot, *ns, *fragment, static_cast<std::size_t>(limit));
    if (!found) return error_response(found.error());
    auto customers = customer_resources(routes, snapshot, *found);
    if (!customers) return error_response(customers.error());
    return success(200, "customers", {{"customers", std::move(*customers)}});
  });
}

Response my_statistics(const CustomerRoutes& routes, const Request& request) {
  if (auto problems = QueryReader(request).finish(); !problems.empty()) {
    return validation_failed(problems);
  }
  return answer_query(routes, request, [&](const Snapshot& snapshot) {
    auto ns = live(snapshot, routes.list);
    if (!ns) return error_response(ns.error());
    auto statistics = routes.list.statistics(snapshot, *ns, CustomerId(request.caller->id));
    if (!statistics) return error_response(statistics.error());
    if (!*statistics) return no_such_customer();
    return success(200, "customer statistics", statistics_resource(**statistics));
  });
}

// The analytics overview; with `breakdowns`, also by type and by status.
Response overview(const CustomerRoutes& routes, const Request& request, bool breakdowns) {
  if (auto problems = QueryReader(request).finish(); !problems.empty()) {
    return validation_failed(problems);
  }
  return answer_query(routes, request, [&](const Snapshot& snapshot) {
    auto ns = live(snapshot, routes.analytics);
    if (!ns) return error_response(ns.error());
    auto o = routes.analytics.overview(snapshot, *ns, routes.clock());
    if (!o) return error_response(o.error());
    json data = {{"totalCustomers", o->total},
                 {"activeCustomers", o->active},
                 {"verifiedCustomers", o->verified},
                 {"newCustomersToday", o->new_today},
                 {"newCustomersThisWeek", o->new_this_week},
                 {"newCustomersThisMonth", o->new_this_month},
                 {"customersByCountry", o->by_country},
                 {"customersByCity", o->by_city},
                 {"averageCustomerAge", o->average_age},
                 {"genderDistribution", o->by_gender}};
    if (breakdowns) {
      data["customersByType"] = o->by_type;
      data["customersByStatus"] = o->by_status;
    }
    return success(200, "customer analytics", std::move(data));
  });
}

Response statistics_overview(const CustomerRoutes& routes, const Request& request) {
  return overview(routes, request, false);
}

Response analytics(const CustomerRoutes& routes, const Request& request) {
  return overview(routes, request, true);
}

constexpr QueryRoute<CustomerRoutes> kRoutes[] = {
    {"/api/v1/customers/me", me, Access::customer},
    {"/api/v1/customers/me/statistics", my_statistics, Access::customer},
    {"/api/v1/customers", list, Access::administrator},
    {"/api/v1/customers/search", search, Access::administrator},
    {"/api/v1/customers/statistics/overview", statistics_overview, Access::administrator},
    {"/api/v1/customers/analytics", analytics, Access::administrator},
    {"/api/v1/customers/email/:email", by_email, Access::administrator},
    {"/api/v1/customers/username/:username", by_username, Access::administrator},
    {"/api/v1/customers/:customerId", by_id, Access::administrator},
};

}  // namespace

json statistics_resource(const projections::CustomerStatistics& s) {
  return {{"totalOrders", s.total_orders},         {"totalOrderValue", s.total_order_value},
          {"totalComplaints", s.total_complaints}, {"openComplaints", s.open_complaints},
          {"lastOrderDate", s.last_order_date},    {"lastComplaintDate", s.last_complaint_date},
          {"loginCount", s.login_count},           {"lastLoginDate", s.last_login_date}};
}

Response changed_customer(const CustomerRoutes& routes, const CustomerId& customer,
                          const commands::Outcome& outcome, Viewer viewer, int status,
                          std::string_view message) {
  ReadYourWrites::Wait waited;
  if (!outcome.positions.empty())
    waited = routes.read_your_writes.wait_for(outcome.positions.back());
  auto snapshot = routes.store.snapshot();
  auto ns = live(*snapshot, routes.profiles);
  auto response = ns ? customer_answer(routes, *snapshot, *ns, customer, viewer, status, message)
                     : error_response(ns.error());
  ReadYourWrites::mark(response, waited);
  add_position(response, outcome);
  return response;
}

Result<void> add_customer_routes(Router& router, const CustomerRoutes& routes) {
  return add_query_routes(router, routes, kRoutes);
}

}  // namespace clientele::api
