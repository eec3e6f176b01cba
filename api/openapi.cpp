#include "api/openapi.hpp"

namespace clientele::api {

std::string openapi_path(std::string_view route_template) {
  std::string path;
  std::size_t start = 0;
  while (start < route_template.size()) {
    const auto slash = route_template.find('/', start + 1);
    const auto segment = route_template.substr(start, slash - start);  // "/x" or "/:x"
    if (segment.size() > 2 && segment[1] == ':') {
      path += "/{";
      path += segment.substr(2);
      path += "}";
    } else {
      path += segment;
    }
    if (slash == std::string_view::npos) break;
    start = slash;
  }
  return path;
}

Result<void> add_openapi_route(Router& router) {
  return router.add(Method::Get, "/openapi.json", [](const Request&) {
    return Response{
        .status = 200, .content_type = "application/json", .body = std::string(openapi_document())};
  });
}

}  // namespace clientele::api
