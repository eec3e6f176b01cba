#pragma once
// What every query route does around its read (DESIGN.md §5): wait for the position the request
// carries (read_your_writes.hpp), read one snapshot of the read models, and find each model's
// live namespace on it; and a table of GET routes, added to a router in one go.

#include <cstddef>
#include <functional>

#include "api/http.hpp"
#include "api/read_your_writes.hpp"
#include "api/router.hpp"
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

}  // namespace clientele::api
