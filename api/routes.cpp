#include "api/routes.hpp"

#include "api/openapi.hpp"

namespace clientele::api {

Result<Router> build_routes(RouteContext context) {
  Router router;
  if (auto added = add_auth_routes(router, context.auth); !added) return added.error();
  if (auto added = add_customer_routes(router, context.customers); !added) return added.error();
  if (auto added = add_customer_lookup_routes(router, context.customers); !added)
    return added.error();
  if (auto added = add_customer_change_routes(router, {context.changes, context.auth.idempotency,
                                                       context.customers, context.orders.model});
      !added)
    return added.error();
  if (auto added = add_address_routes(router, context.addresses); !added) return added.error();
  if (auto added = add_order_routes(router, context.orders); !added) return added.error();
  if (auto added = add_complaint_routes(router, context.complaints); !added) return added.error();
  if (auto added = add_erasure_routes(router, {context.erasures, context.auth.idempotency}); !added)
    return added.error();
  if (auto added = add_export_routes(router, {context.customers, context.addresses.book,
                                              context.timeline, context.orders.model});
      !added)
    return added.error();
  if (auto added = add_ops_routes(
          router,
          {context.lag, context.projector, context.metrics, context.commands, context.passwords},
          context.ops);
      !added)
    return added.error();
  if (auto added = add_openapi_route(router); !added) return added.error();
  if (auto added = add_docs_routes(router, std::move(context.swagger_ui)); !added)
    return added.error();
  return router;
}

}  // namespace clientele::api
