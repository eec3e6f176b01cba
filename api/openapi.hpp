#pragma once
// GET /openapi.json: the OpenAPI 3.0 document of every route of the server (DESIGN.md §6).
// The document is api/openapi.json, written by hand and reviewed like code, and built into the
// executable (api/embed.cmake), which therefore needs no source tree to serve it.
// tests/api/openapi_test.cpp holds it to the route table of routes.hpp: the (method, path) pairs
// of both must be the same. A new route is added to build_routes() and its path to the document.

#include <string>
#include <string_view>

#include "api/router.hpp"
#include "domain/result.hpp"

namespace clientele::api {

// The document: the bytes of api/openapi.json as it was when the executable was built.
std::string_view openapi_document();

// The OpenAPI path of route template `route_template`: every ":name" segment becomes "{name}"
// ("/api/v1/customers/:customerId" -> "/api/v1/customers/{customerId}"); the rest is kept.
std::string openapi_path(std::string_view route_template);

// Adds GET /openapi.json, which answers the document as application/json.
Result<void> add_openapi_route(Router& router);

}  // namespace clientele::api
