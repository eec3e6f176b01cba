#include "api/customer_routes.hpp"

#include "api/customer_fields.hpp"
#include "api/envelope.hpp"
#include "api/error_mapping.hpp"
#include "api/preconditions.hpp"
#include "projections/rebuild.hpp"

namespace clientele::api {
namespace {

// The customer's profile document from the live build of the profile model, or the answer that
// says why there is none.
Result<std::optional<nlohmann::json>> read_profile(const CustomerRoutes& routes,
                                                   const CustomerId& customer) {
  const auto snapshot = routes.store.snapshot();
  auto ns = projections::live_namespace(*snapshot, routes.profiles.name());
  if (!ns) return ns.error();
  if (!*ns) return make_error(errc::unavailable, "", "the customer profiles are not built yet");
  return routes.profiles.find(*snapshot, **ns, customer);
}

Response me(const CustomerRoutes& routes, const Request& request) {
  const auto waited = routes.read_your_writes.wait(request);
  if (waited.refused) return *waited.refused;
  auto profile = read_profile(routes, CustomerId(request.caller->id));
  if (!profile) return error_response(profile.error());
  if (!*profile) {
    // Registered, but not folded yet: the client did not send the position of its registration.
    auto response = failure(404, "there is no such customer yet");
    ReadYourWrites::mark(response, waited);
    return response;
  }
  auto response = success(200, "customer", customer_resource(**profile));
  response.headers.emplace_back("ETag", etag((*profile)->value("version", std::uint64_t{0})));
  ReadYourWrites::mark(response, waited);
  return response;
}

}  // namespace

Result<void> add_customer_routes(Router& router, const CustomerRoutes& routes) {
  return router.add(
      Method::Get, "/api/v1/customers/me",
      [routes](const Request& request) { return me(routes, request); }, Body::none,
      Access::customer);
}

}  // namespace clientele::api
