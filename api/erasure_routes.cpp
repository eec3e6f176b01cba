#include "api/erasure_routes.hpp"

#include "api/envelope.hpp"
#include "api/error_mapping.hpp"
#include "api/query_reader.hpp"
#include "api/request_reader.hpp"

namespace clientele::api {
namespace {

constexpr std::string_view kErasures = "/api/v1/admin/erasures";

Response request_erasure(const ErasureRoutes& routes, const Request& request) {
  return routes.idempotency.run(request, [&] {
    RequestReader body(request.body);
    auto customer = body.string("customerId", Presence::required, 40);
    auto reason_code = body.string("reasonCode", Presence::required, 50);
    auto legal_basis = body.string("legalBasis", Presence::required, 200);
    if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);

    auto record =
        routes.desk.submit({CustomerId(*customer), *reason_code, *legal_basis, request.caller->id});
    if (!record) return error_response(record.error());
    auto response = success(202, "erasure accepted", commands::to_json(*record));
    response.headers.emplace_back("Location", std::string(kErasures) + "/" + record->id);
    return response;
  });
}

Response erasure(const ErasureRoutes& routes, const Request& request) {
  if (auto problems = QueryReader(request).finish(); !problems.empty()) {
    return validation_failed(problems);
  }
  auto record = routes.desk.find(*request.param("erasureId"));
  if (!record) return error_response(record.error());
  if (!*record) return failure(404, "there is no such erasure");
  return success(200, "erasure " + std::string(clientele::to_string((*record)->status)),
                 commands::to_json(**record));
}

}  // namespace

Result<void> add_erasure_routes(Router& router, const ErasureRoutes& routes) {
  if (auto added = router.add(
          Method::Post, std::string(kErasures),
          [routes](const Request& request) { return request_erasure(routes, request); }, Body::json,
          Access::administrator);
      !added) {
    return added;
  }
  return router.add(
      Method::Get, std::string(kErasures) + "/:erasureId",
      [routes](const Request& request) { return erasure(routes, request); }, Body::none,
      Access::administrator);
}

}  // namespace clientele::api
