#include "api/customer_routes.hpp"

#include <cctype>
#include <unordered_set>

#include "api/customer_fields.hpp"
#include "api/envelope.hpp"
#include "api/error_mapping.hpp"
#include "api/preconditions.hpp"
#include "api/queries.hpp"
#include "api/query_reader.hpp"
#include "domain/validation.hpp"
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
  const auto version = (*profile)->value("version", std::uint64_t{0});
  auto response = success(status, message, customer_resource(std::move(**profile), viewer));
  response.headers.emplace_back("ETag", etag(version));
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
    if (*profile) out.push_back(customer_resource(std::move(**profile), Viewer::staff));
  }
  return out;
}

// The comma-separated tags of parameter "tags".
std::vector<std::string> read_tags(QueryReader& query) {
  const auto text = query.string("tags", 1000);
  if (!text) return {};
  auto tags = split_tags(*text);
  if (!tags) query.fail("tags", "must be 1 to 10 tags separated by commas");
  return tags.value_or(std::vector<std::string>());
}

// The list request of `request`'s query; its problems go to `problems`.
ListRequest read_list_request(const Request& request, std::vector<FieldError>& problems) {
  QueryReader query(request);
  ListRequest out;
  read_list_paging(query, out);
  auto& list = out.query;
  list.status = query.one_of("status", {"Active", "Inactive", "Suspended", "Erased"});
  list.type = query.one_of("type", {"Regular", "Premium", "VIP"});
  list.country = read_country(query);
  list.city = query.string("city", 100);
  list.tags = read_tags(query);
  list.created_after = read_instant(query, "createdAfter");
  list.created_before = read_instant(query, "createdBefore");
  if (auto term = query.string("searchTerm", 100)) {
    if (term->size() < CustomerSearch::kMinFragment) {
      query.fail("searchTerm", "must be at least " + std::to_string(CustomerSearch::kMinFragment) +
                                   " characters");
    }
    out.fragments.push_back({"searchTerm", std::move(*term)});
  }
  problems = query.finish();
  return out;
}

// Whether a customer listed belongs on the page; null when every one listed does.
using Keep = std::function<Result<bool>(const CustomerId&)>;

// One page of the listing from `query.after`, at most query.limit customers. With `keep`, only
// those it keeps: the listing is read on, in pieces no longer than what the page still lacks,
// until the page is full or the listing ends, so that the cursor stays exact.
Result<ListPage> list_page(const CustomerRoutes& routes, const Snapshot& snapshot,
                           const Namespace& ns, ListQuery query, const Keep& keep) {
  if (!keep) return routes.list.list(snapshot, ns, query);
  ListPage page;
  const auto limit = query.limit;
  do {
    query.limit = limit - page.customers.size();
    auto piece = routes.list.list(snapshot, ns, query);
    if (!piece) return piece.error();
    for (auto& id : piece->customers) {
      auto kept = keep(id);
      if (!kept) return kept.error();
      if (*kept) page.customers.push_back(std::move(id));
    }
    page.next = piece->next;
    query.after = piece->next;
  } while (page.customers.size() < limit && !page.next.empty());
  return page;
}

// The customers every fragment of `wanted` finds; nullopt when it has none.
Result<std::optional<std::unordered_set<std::string>>> found_by_fragments(
    const CustomerRoutes& routes, const Snapshot& snapshot, const ListRequest& wanted) {
  if (wanted.fragments.empty()) return std::optional<std::unordered_set<std::string>>();
  auto ns = live(snapshot, routes.search);
  if (!ns) return ns.error();
  std::optional<std::unordered_set<std::string>> among;
  for (const auto& fragment : wanted.fragments) {
    auto found = routes.search.search(snapshot, *ns, fragment.text, kMaxSearchTermHits);
    if (!found) return make_error(found.error().code, fragment.field, found.error().message);
    std::unordered_set<std::string> ids;
    for (const auto& id : *found) {
      if (!among || among->contains(id.str())) ids.insert(id.str());
    }
    among = std::move(ids);
  }
  return among;
}

// What keeps a customer on a page of `wanted`: being found by its fragments (`among`) and
// matching its profile match; null when every customer listed is kept. It refers to every
// argument, which must outlive it.
Result<Keep> keeper(const CustomerRoutes& routes, const Snapshot& snapshot,
                    const ListRequest& wanted,
                    const std::optional<std::unordered_set<std::string>>& among) {
  if (!among && wanted.match.empty()) return Keep();
  std::optional<Namespace> profiles;
  if (!wanted.match.empty()) {
    auto ns = live(snapshot, routes.profiles);
    if (!ns) return ns.error();
    profiles = *ns;
  }
  const auto* found = among ? &*among : nullptr;
  return Keep([&routes, &snapshot, &wanted, found, profiles](const CustomerId& id) -> Result<bool> {
    if (found != nullptr && !found->contains(id.str())) return false;
    if (!profiles) return true;
    auto profile = routes.profiles.find(snapshot, *profiles, id);
    if (!profile) return profile.error();
    return *profile && wanted.match.matches(**profile);
  });
}

// The page `wanted` asks for: from its cursor, or walked to from the start by page number.
Result<ListPage> wanted_page(const CustomerRoutes& routes, const Snapshot& snapshot,
                             const ListRequest& wanted) {
  auto ns = live(snapshot, routes.list);
  if (!ns) return ns.error();
  auto among = found_by_fragments(routes, snapshot, wanted);
  if (!among) return among.error();
  if (*among && (*among)->empty()) return ListPage{};
  auto keep = keeper(routes, snapshot, wanted, *among);
  if (!keep) return keep.error();
  auto query = wanted.query;
  return walk_to_page<ListPage>(wanted.page, wanted.query.after, [&](std::string after) {
    query.after = std::move(after);
    return list_page(routes, snapshot, *ns, query, *keep);
  });
}

Response list(const CustomerRoutes& routes, const Request& request) {
  std::vector<FieldError> problems;
  const auto wanted = read_list_request(request, problems);
  if (!problems.empty()) return validation_failed(problems);
  return answer_list(routes, request, wanted);
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

// The days of revenue the analytics show: the last 30 UTC days, today included.
constexpr std::int64_t kRevenueDays = 30;

// The analytics' figures of orders and complaints on `snapshot`.
Result<json> commerce_figures(const CustomerRoutes& routes, const Snapshot& snapshot) {
  auto ns = live(snapshot, routes.commerce);
  if (!ns) return ns.error();
  const auto today = std::chrono::floor<std::chrono::days>(routes.clock());
  auto o =
      routes.commerce.overview(snapshot, *ns, today - std::chrono::days(kRevenueDays - 1), today);
  if (!o) return o.error();
  json days = json::array();
  for (const auto& day : o->revenue_by_day) {
    days.push_back(
        {{"date", format_date(day.day)}, {"orders", day.orders}, {"revenue", day.revenue}});
  }
  return json{{"ordersByStatus", o->orders_by_status},
              {"revenueByDay", std::move(days)},
              {"complaintsByCategory", o->complaints_by_category},
              {"complaintResolutions", o->resolutions},
              {"meanTimeToResolveHours", o->mean_hours_to_resolve}};
}

// The analytics overview; with `breakdowns`, also by type and by status, and the figures of
// orders and complaints.
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
      auto commerce = commerce_figures(routes, snapshot);
      if (!commerce) return error_response(commerce.error());
      data.update(*commerce);
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

constexpr std::pair<std::string_view, ListSort> kSorts[] = {
    {"createdAt", ListSort::CreatedAt},
    {"totalOrders", ListSort::TotalOrders},
    {"totalOrderValue", ListSort::TotalOrderValue},
    {"lastOrderDate", ListSort::LastOrderDate},
};

// Whether the text field `name` of `profile` holds `wanted` (any case).
bool holds(const json& profile, const char* name, const std::optional<std::string>& wanted) {
  if (!wanted) return true;
  const auto& value = profile.value(name, json());
  if (!value.is_string()) return false;
  return ascii_lower(value.get<std::string>()).find(ascii_lower(*wanted)) != std::string::npos;
}

}  // namespace

json statistics_resource(const projections::CustomerStatistics& s) {
  return {{"totalOrders", s.total_orders},         {"totalOrderValue", s.total_order_value},
          {"totalComplaints", s.total_complaints}, {"openComplaints", s.open_complaints},
          {"lastOrderDate", s.last_order_date},    {"lastComplaintDate", s.last_complaint_date},
          {"loginCount", s.login_count},           {"lastLoginDate", s.last_login_date}};
}

bool ProfileMatch::empty() const {
  return !first_name && !last_name && !email && !company_name && !verified;
}

bool ProfileMatch::matches(const json& profile) const {
  if (verified && profile.value("emailVerified", false) != *verified) return false;
  return holds(profile, "firstName", first_name) && holds(profile, "lastName", last_name) &&
         holds(profile, "email", email) && holds(profile, "companyName", company_name);
}

std::optional<ListSort> sort_named(std::string_view name) {
  for (const auto& [sort_name, sort] : kSorts) {
    if (sort_name == name) return sort;
  }
  return std::nullopt;
}

std::optional<std::string> country_code(std::string_view text) {
  if (text.size() != 2 || !std::isalpha(static_cast<unsigned char>(text[0])) ||
      !std::isalpha(static_cast<unsigned char>(text[1]))) {
    return std::nullopt;
  }
  std::string code(text);
  for (auto& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return code;
}

std::optional<Timestamp> instant(std::string_view text) {
  if (auto at = parse_timestamp(text)) return at;
  if (auto date = parse_date(text)) return std::chrono::sys_days{*date};
  return std::nullopt;
}

std::optional<std::vector<std::string>> split_tags(std::string_view text) {
  std::vector<std::string> tags;
  for (std::size_t start = 0;;) {
    const auto comma = text.find(',', start);
    tags.emplace_back(text.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  const bool empty_tag =
      std::any_of(tags.begin(), tags.end(), [](const std::string& tag) { return tag.empty(); });
  if (empty_tag || tags.size() > kMaxListTags) return std::nullopt;
  return tags;
}

std::optional<std::string> read_country(QueryReader& query) {
  auto country = query.string("country", 2);
  if (!country) return std::nullopt;
  auto code = country_code(*country);
  if (!code) query.fail("country", "must be an ISO 3166-1 alpha-2 code");
  return code;
}

void read_list_paging(QueryReader& query, ListRequest& out) {
  const auto paging = read_paging(query, kMaxListLimit);
  auto& list = out.query;
  list.limit = paging.request.limit;
  list.descending = paging.request.descending;
  list.after = paging.request.after;
  out.page = paging.page;
  out.by_cursor = paging.by_cursor;
  if (const auto sort = query.one_of(
          "sortBy", {"createdAt", "totalOrders", "totalOrderValue", "lastOrderDate"})) {
    list.sort = *sort_named(*sort);
  }
}

Response answer_list(const CustomerRoutes& routes, const Request& request,
                     const ListRequest& wanted) {
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
    const Paging paging{{wanted.query.descending, wanted.query.limit, wanted.query.after},
                        wanted.page,
                        wanted.by_cursor};
    return success(
        200, "customers",
        {{"customers", std::move(*customers)}, {"pagination", pagination(paging, page->next)}});
  });
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
