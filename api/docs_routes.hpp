#pragma once
// GET /docs: Swagger UI over /openapi.json (DESIGN.md §6), from the files of the npm package
// swagger-ui-dist that tools/setup.sh installs. The routes:
//   GET /docs, /docs/                     the page (built in), which loads the four below
//   GET /docs/swagger-initializer.js      starts Swagger UI on /openapi.json (built in)
//   GET /docs/swagger-ui.css, /docs/swagger-ui-bundle.js, /docs/swagger-ui-standalone-preset.js
//                                         those files of swagger-ui-dist, read at startup
// Only these paths exist: a request's path never reaches the file system (a file is read by a
// fixed name, once, before the server starts), so "/docs/../x" and the like are plain 404s.
// Every page and file answered carries a Content-Security-Policy that lets the page load its own
// scripts and styles and reach this server only. Without the files, every docs route answers 503
// with the envelope, saying how to install them.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "api/router.hpp"
#include "domain/result.hpp"

namespace clientele::api {

// A file of swagger-ui-dist that /docs serves, and its Content-Type.
struct SwaggerUiFile {
  std::string_view name;
  std::string_view content_type;
};

// Every file of swagger-ui-dist the page needs: all that is read, and all that is served.
inline constexpr SwaggerUiFile kSwaggerUiFiles[] = {
    {"swagger-ui.css", "text/css; charset=utf-8"},
    {"swagger-ui-bundle.js", "text/javascript; charset=utf-8"},
    {"swagger-ui-standalone-preset.js", "text/javascript; charset=utf-8"},
};

// The Content-Security-Policy of every /docs answer.
inline constexpr std::string_view kDocsContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

// The files of kSwaggerUiFiles, read whole; immutable once read.
struct SwaggerUi {
  std::map<std::string, std::string, std::less<>> files;  // name -> bytes; empty: not installed
};

// Reads every file of kSwaggerUiFiles from `dir` (a swagger-ui-dist directory: what npm
// installs as node_modules/swagger-ui-dist). errc::not_found naming the first file missing or
// unreadable, and `dir`.
Result<SwaggerUi> load_swagger_ui(const std::filesystem::path& dir);

// Adds the routes above, serving `swagger_ui` (503 for all of them when it has no files).
Result<void> add_docs_routes(Router& router, SwaggerUi swagger_ui);

}  // namespace clientele::api
