#include "api/queries.hpp"

#include <string>

#include "projections/rebuild.hpp"

namespace clientele::api {

Result<projections::Namespace> live(const projections::Snapshot& snapshot,
                                    const projections::ReadModel& model) {
  auto ns = projections::live_namespace(snapshot, model.name());
  if (!ns) return ns.error();
  if (!*ns) {
    return make_error(errc::unavailable, "",
                      "the read model " + std::string(model.name()) + " is not built yet");
  }
  return **ns;
}

Response answer_query(const ReadYourWrites& read_your_writes, projections::ReadModelStore& store,
                      const Request& request,
                      const std::function<Response(const projections::Snapshot&)>& query) {
  const auto waited = read_your_writes.wait(request);
  if (waited.refused) return *waited.refused;
  auto response = query(*store.snapshot());
  ReadYourWrites::mark(response, waited);
  return response;
}

Paging read_paging(QueryReader& query, std::int64_t max_limit) {
  Paging out;
  out.request.limit = static_cast<std::size_t>(query.integer("limit", 1, max_limit).value_or(20));
  const auto page = query.integer("page", 1, kMaxPage);
  const auto cursor = query.string("cursor", 200);
  if (const auto order = query.one_of("sortOrder", {"asc", "desc"})) {
    out.request.descending = *order == "desc";
  }
  if (page && cursor) query.fail("page", "must not be sent with cursor");
  out.page = page.value_or(1);
  if (cursor) {
    out.request.after = *cursor;
    out.by_cursor = true;
  }
  return out;
}

nlohmann::json pagination(const Paging& paging, const std::string& next) {
  nlohmann::json out = {{"itemsPerPage", paging.request.limit},
                        {"hasNextPage", !next.empty()},
                        {"hasPreviousPage", paging.by_cursor || paging.page > 1},
                        {"nextCursor", next.empty() ? nlohmann::json() : nlohmann::json(next)}};
  if (!paging.by_cursor) out["currentPage"] = paging.page;
  return out;
}

}  // namespace clientele::api
