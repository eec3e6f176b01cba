#include "api/docs_routes.hpp"

#include <fstream>
#include <iterator>
#include <optional>
#include <utility>
#include <vector>

#include "api/envelope.hpp"

namespace clientele::api {
namespace {

// The page: Swagger UI's files, then the script that starts it. Paths are absolute, so that
// /docs and /docs/ load the same files.
constexpr std::string_view kPage = R"(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>clientele API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script src="/docs/swagger-initializer.js"></script>
</body>
</html>
)";

// Starts Swagger UI on this server's document, never on another (no petstore, no URL taken
// from the query, no validator called).
constexpr std::string_view kInitializer = R"(window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    queryConfigEnabled: false,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout"
  });
});
)";

Response docs_answer(std::string_view content_type, std::string body) {
  return Response{.status = 200,
                  .content_type = std::string(content_type),
                  .body = std::move(body),
                  .headers = {{"Content-Security-Policy", std::string(kDocsContentSecurityPolicy)},
                              {"X-Content-Type-Options", "nosniff"}}};
}

Response not_installed() {
  return failure(503,
                 "the API documentation is not installed on this server: run tools/setup.sh, "
                 "which installs the npm package swagger-ui-dist, or start the server with "
                 "--docs-dir naming a swagger-ui-dist directory");
}

// Every docs route and its answer, given the files of `swagger_ui`.
std::vector<std::pair<std::string, Response>> answers(SwaggerUi swagger_ui) {
  std::vector<std::pair<std::string, Response>> out{
      {"/docs", docs_answer("text/html; charset=utf-8", std::string(kPage))},
      {"/docs/", docs_answer("text/html; charset=utf-8", std::string(kPage))},
      {"/docs/swagger-initializer.js",
       docs_answer("text/javascript; charset=utf-8", std::string(kInitializer))}};
  for (const auto& file : kSwaggerUiFiles) {
    const auto bytes = swagger_ui.files.find(file.name);
    out.emplace_back("/docs/" + std::string(file.name),
                     bytes != swagger_ui.files.end()
                         ? docs_answer(file.content_type, std::move(bytes->second))
                         : not_installed());
  }
  return out;
}

// The bytes of regular file `path`, or nullopt when it is not one or cannot be read.
std::optional<std::string> read_whole(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.is_open() || in.bad()) return std::nullopt;
  return bytes;
}

}  // namespace

Result<SwaggerUi> load_swagger_ui(const std::filesystem::path& dir) {
  SwaggerUi swagger_ui;
  for (const auto& file : kSwaggerUiFiles) {
    auto bytes = read_whole(dir / file.name);
    if (!bytes) {
      return make_error(errc::not_found, "docsDir",
                        std::string(file.name) + " of swagger-ui-dist is not in " + dir.string());
    }
    swagger_ui.files.emplace(file.name, std::move(*bytes));
  }
  return swagger_ui;
}

Result<void> add_docs_routes(Router& router, SwaggerUi swagger_ui) {
  const bool installed = !swagger_ui.files.empty();
  for (auto& [path, answer] : answers(std::move(swagger_ui))) {
    Handler handler = [answer = installed ? std::move(answer) : not_installed()](const Request&) {
      return answer;
    };
    if (auto added = router.add(Method::Get, path, std::move(handler)); !added) return added;
  }
  return clientele::success();
}

}  // namespace clientele::api
