#pragma once
// What every query route does around its read (DESIGN.md §5): wait for the position the request
// carries (read_your_writes.hpp), read one snapshot of the read models, and find each model's
// live namespace on it; and a table of GET routes, added to a router in one go.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/envelope.hpp"
#include "api/error_mapping.hpp"
#include "api/http.hpp"
#include "api/query_reader.hpp"
#include "api/read_your_writes.hpp"
#include "api/router.hpp"
#include "commands/command_bus.hpp"
#include "projections/read_model.hpp"
#include "projections/read_model_store.hpp"

namespace clientele::api {

// The live namespace of `model` on `snapshot`; errc::unavailable while it is not built.
Result<projections::Namespace> live(const projections::Snapshot& snapshot,
                                    const projections::ReadModel& model);

// Answers `query` on one snapshot of `store`, once the position `request` carries is folded or
// the wait for it timed out (then the answer is marked stale); a malformed position is 400.
Response answer_query(const ReadYourWrites& read_your_writes, projections::ReadModelStore& store,
                      const Request& request,
                      const std::function<Response(const projections::Snapshot&)>& query);

// How the client of a listing pages through it: limit, sortOrder ("asc" or "desc", the default)
// and a page number or the cursor of the previous page (not both).
struct Paging {
  projections::PageRequest request;  // limit, descending, and the cursor sent (after)
  std::int64_t page = 1;             // walked to from the start, unless by cursor
  bool by_cursor = false;            // request.after is the cursor the client sent
};

// The deepest page number a listing walks to; deeper pages are reached by cursor.
inline constexpr std::int64_t kMaxPage = 1000;

// Reads parameters limit (1..max_limit, 20 when absent), sortOrder, page (1..kMaxPage) and
// cursor.
Paging read_paging(QueryReader& query, std::int64_t max_limit);

// The pagination member of a listing's answer (DESIGN.md §6): itemsPerPage, hasNextPage,
// hasPreviousPage, nextCursor (null after the last page) and, unless the client paged by cursor,
// currentPage.
nlohmann::json pagination(const Paging& paging, const std::string& next);

// The page `page` of a listing, walked to from cursor `after` (empty: the start): `read(after)`
// reads the page after a cursor (a Result of a Page with member `next`, the cursor of the page
// after it, empty after the last). An empty Page when the listing ends before page `page`.
template <class Page, class Read>
Result<Page> walk_to_page(std::int64_t page, std::string after, Read read) {
  for (std::int64_t at = 1;; ++at) {
    Result<Page> listed = read(std::move(after));
    if (!listed || at == page) return listed;
    if (listed->next.empty()) return Page{};
    after = std::move(listed->next);
  }
}

// The optional time parameter `name`: a date (YYYY-MM-DD) or a UTC time (instant()).
std::optional<Timestamp> read_instant(QueryReader& query, std::string_view name);

// A history entry of a read model (who acted: "actor" {id, role}) as the caller sees it:
// customers learn the role of staff who acted on their order or complaint, not who.
nlohmann::json history_entry(nlohmann::json entry, bool for_customer);

// The answer to a change whose `outcome` the caller made: `read(snapshot)` reads the resource
// once the read models have folded the change (marked stale when that takes too long; nullopt
// while it cannot be found), else `fallback` — the change is made, and the id in `fallback` tells
// the client what to ask for. With the ETag of the new version and X-Clientele-Position.
Response changed_answer(
    const ReadYourWrites& read_your_writes, projections::ReadModelStore& store,
    const commands::Outcome& outcome, int status, std::string_view message,
    const std::function<Result<std::optional<nlohmann::json>>(const projections::Snapshot&)>& read,
    nlohmann::json fallback);

// The answer to a listing: the page `paging` asks for, walked to with `read(after)`
// (walk_to_page()), as {<name>: [present(document)...], pagination} with message `name`; a 400
// naming "cursor" for a cursor the listing did not hand out. `documents` is the member of the
// page holding its documents.
template <class Page, class Read, class Present>
Response listing_answer(const Paging& paging, Read read,
                        std::vector<nlohmann::json> Page::*documents, const char* name,
                        Present present) {
  auto page = walk_to_page<Page>(paging.page, paging.request.after, read);
  if (!page) {
    if (page.error().field == "after") {
      return validation_failed({{"cursor", "is not a cursor of this listing"}});
    }
    return error_response(page.error());
  }
  auto items = nlohmann::json::array();
  for (const auto& document : (*page).*documents) items.push_back(present(document));
  return success(200, name,
                 {{name, std::move(items)}, {"pagination", pagination(paging, page->next)}});
}

// One GET route (no body) of a table whose routes answer from the same `Routes`.
template <class Routes>
struct QueryRoute {
  const char* path;                                   // the template (router.hpp)
  Response (*answer)(const Routes&, const Request&);  // the route, given `routes`
  Access access;
};

// Adds every route of `table` to `router`, each answering from its own copy of `routes` (whose
// references must outlive the router). Errors are those of Router::add.
template <class Routes, std::size_t N>
Result<void> add_query_routes(Router& router, const Routes& routes,
                              const QueryRoute<Routes> (&table)[N]) {
  for (const auto& route : table) {
    auto added = router.add(
        Method::Get, route.path,
        [routes, answer = route.answer](const Request& request) { return answer(routes, request); },
        Body::none, route.access);
    if (!added) return added;
  }
  return clientele::success();
}

// One route of a table whose routes answer from the same `Routes`.
template <class Routes>
struct TableRoute {
  Method method;
  const char* path;                                   // the template (router.hpp)
  Response (*answer)(const Routes&, const Request&);  // the route, given `routes`
  Body body;
  Access access;
};

// Adds every route of `table` to `router`, as add_query_routes() does.
template <class Routes, std::size_t N>
Result<void> add_route_table(Router& router, const Routes& routes,
                             const TableRoute<Routes> (&table)[N]) {
  for (const auto& route : table) {
    auto added = router.add(
        route.method, route.path,
        [routes, answer = route.answer](const Request& request) { return answer(routes, request); },
        route.body, route.access);
    if (!added) return added;
  }
  return clientele::success();
}

}  // namespace clientele::api
