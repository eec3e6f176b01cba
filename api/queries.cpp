#include "api/queries.hpp"

#include <string>

#include "api/customer_routes.hpp"
#include "api/envelope.hpp"
#include "api/preconditions.hpp"
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

std::optional<Timestamp> read_instant(QueryReader& query, std::string_view name) {
  const auto text = query.string(name, 24);
  if (!text) return std::nullopt;
  if (auto at = instant(*text)) return at;
  query.fail(name, "must be a date (YYYY-MM-DD) or a UTC time (YYYY-MM-DDThh:mm:ssZ)");
  return std::nullopt;
}

nlohmann::json history_entry(nlohmann::json entry, bool for_customer) {
  auto& actor = entry["actor"];
  if (for_customer && actor.value("role", "") != "Customer") actor.erase("id");
  return entry;
}

Response changed_answer(
    const ReadYourWrites& read_your_writes, projections::ReadModelStore& store,
    const commands::Outcome& outcome, int status, std::string_view message,
    const std::function<Result<std::optional<nlohmann::json>>(const projections::Snapshot&)>& read,
    nlohmann::json fallback) {
  ReadYourWrites::Wait waited;
  if (!outcome.positions.empty()) waited = read_your_writes.wait_for(outcome.positions.back());
  auto resource = read(*store.snapshot());
  auto response =
      success(status, message, resource && *resource ? std::move(**resource) : std::move(fallback));
  response.headers.emplace_back("ETag", etag(outcome.version));
  ReadYourWrites::mark(response, waited);
  add_position(response, outcome);
  return response;
}

}  // namespace clientele::api
