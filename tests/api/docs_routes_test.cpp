// /docs: Swagger UI from a swagger-ui-dist directory read at startup, with only its allow-listed
// files reachable (docs_routes.hpp); in this process through the dispatcher, and through the real
// `clientele serve` with --docs-dir, with a fake directory of tiny files (no npm needed).

#include "api/docs_routes.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

#include "api/dispatcher.hpp"
#include "tests/support/clientele.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::api {
namespace {

using nlohmann::json;
using testing::TempDir;

// Paths that would leave the allow-list if a path reached the file system.
const std::vector<std::string> kTraversals{
    "/docs/../../etc/passwd",
    "/docs/..%2F..%2Fetc%2Fpasswd",
    "/docs/%2e%2e/%2e%2e/etc/passwd",
    "/docs/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/docs/%252e%252e%252fetc%252fpasswd",
    "/docs/..%5c..%5cetc%5cpasswd",
    "/docs/..\\..\\etc\\passwd",
    "/docs/swagger-ui.css/../../../etc/passwd",
    "/docs/../docs/swagger-ui.css",
    "/docs//etc/passwd",
    "/docs/swagger-ui.css%00.html",
    "/docs/index.html",    // swagger-ui-dist's own page: the petstore
    "/docs/package.json",  // in swagger-ui-dist, not on the list
};

// Writes a fake swagger-ui-dist into `dir`: each listed file holds "<its name> bytes", plus files
// that must never be served.
void write_fake_swagger_ui(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  for (const auto& file : kSwaggerUiFiles) {
    std::ofstream(dir / file.name, std::ios::binary) << file.name << " bytes";
  }
  std::ofstream(dir / "index.html") << "petstore";
  std::ofstream(dir / "package.json") << R"({"name":"swagger-ui-dist"})";
}

Dispatcher docs_dispatcher(SwaggerUi swagger_ui) {
  Router router;
  EXPECT_TRUE(add_docs_routes(router, std::move(swagger_ui)).ok());
  return Dispatcher(std::move(router), DispatchOptions{});
}

Response get(const Dispatcher& dispatcher, std::string path) {
  Request request;
  request.path = std::move(path);
  return dispatcher.dispatch(std::move(request)).response;
}

std::string header(const Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

TEST(DocsRoutes, ServeThePageTheInitializerAndEachFileWithItsContentType) {
  TempDir dir;
  write_fake_swagger_ui(dir.path());
  auto loaded = load_swagger_ui(dir.path());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  const auto docs = docs_dispatcher(std::move(*loaded));
  for (const char* page : {"/docs", "/docs/"}) {
    const auto answer = get(docs, page);
    EXPECT_EQ(answer.status, 200) << page;
    EXPECT_EQ(answer.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(header(answer, "Content-Security-Policy"), kDocsContentSecurityPolicy);
    EXPECT_EQ(header(answer, "X-Content-Type-Options"), "nosniff");
  }
  const auto initializer = get(docs, "/docs/swagger-initializer.js");
  EXPECT_EQ(initializer.status, 200);
  EXPECT_EQ(initializer.content_type, "text/javascript; charset=utf-8");
  EXPECT_NE(initializer.body.find(R"(url: "/openapi.json")"), std::string::npos);
  for (const auto& file : kSwaggerUiFiles) {
    const auto answer = get(docs, "/docs/" + std::string(file.name));
    EXPECT_EQ(answer.status, 200) << file.name;
    EXPECT_EQ(answer.content_type, file.content_type);
    EXPECT_EQ(answer.body, std::string(file.name) + " bytes");
    EXPECT_EQ(header(answer, "Content-Security-Policy"), kDocsContentSecurityPolicy);
  }
}

TEST(DocsRoutes, ThePageLoadsTheListedFilesAndThisServersDocumentOnly) {
  const auto docs = docs_dispatcher(SwaggerUi{{{"swagger-ui.css", ""}}});
  const auto page = get(docs, "/docs").body;
  for (const auto& file : kSwaggerUiFiles) {
    EXPECT_NE(page.find("\"/docs/" + std::string(file.name) + "\""), std::string::npos)
        << file.name;
  }
  EXPECT_NE(page.find(R"(<script src="/docs/swagger-initializer.js">)"), std::string::npos);
  EXPECT_EQ(page.find("<script>"), std::string::npos) << "an inline script breaks the CSP";
  const auto initializer = get(docs, "/docs/swagger-initializer.js").body;
  EXPECT_EQ(initializer.find("petstore"), std::string::npos);
  EXPECT_NE(initializer.find("queryConfigEnabled: false"), std::string::npos);
}

TEST(DocsRoutes, WithoutTheFilesEveryDocsRouteIs503SayingToRunSetup) {
  const auto docs = docs_dispatcher(SwaggerUi{});
  std::vector<std::string> paths{"/docs", "/docs/", "/docs/swagger-initializer.js"};
  for (const auto& file : kSwaggerUiFiles) paths.push_back("/docs/" + std::string(file.name));
  for (const auto& path : paths) {
    const auto answer = get(docs, path);
    EXPECT_EQ(answer.status, 503) << path;
    EXPECT_EQ(answer.content_type, "application/json");
    const auto body = json::parse(answer.body);
    EXPECT_EQ(body["success"], false);
    EXPECT_NE(body["message"].get<std::string>().find("run tools/setup.sh"), std::string::npos);
  }
}

TEST(DocsRoutes, LoadingNamesTheFirstFileMissing) {
  TempDir dir;
  write_fake_swagger_ui(dir.path());
  std::filesystem::remove(dir.path() / "swagger-ui-bundle.js");
  const auto loaded = load_swagger_ui(dir.path());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, errc::not_found);
  EXPECT_NE(loaded.error().message.find("swagger-ui-bundle.js"), std::string::npos);
  EXPECT_FALSE(load_swagger_ui(dir.path() / "nowhere").ok());
}

TEST(DocsRoutes, ADirectoryInPlaceOfAFileIsMissing) {
  TempDir dir;
  write_fake_swagger_ui(dir.path());
  std::filesystem::remove(dir.path() / "swagger-ui.css");
  std::filesystem::create_directory(dir.path() / "swagger-ui.css");
  EXPECT_FALSE(load_swagger_ui(dir.path()).ok());
}

TEST(DocsRoutes, NoPathOutsideTheListIsServed) {
  TempDir dir;
  write_fake_swagger_ui(dir.path());
  auto loaded = load_swagger_ui(dir.path());
  ASSERT_TRUE(loaded.ok());
  const auto docs = docs_dispatcher(std::move(*loaded));
  for (const auto& path : kTraversals) EXPECT_EQ(get(docs, path).status, 404) << path;
}

}  // namespace
}  // namespace clientele::api

namespace clientele::testing {
namespace {

// What `clientele serve` logs when it has no Swagger UI to serve.
constexpr std::string_view kNotInstalled =
    "/docs answers 503: swagger-ui-dist is not installed; run tools/setup.sh";

// `clientele serve` on a new installation in `dir`, with `options`.
Service serve_in(const std::filesystem::path& dir, std::vector<std::string> options) {
  options.insert(options.begin(), {"--data-dir", (dir / "var").string()});
  return Service(serve_with(std::move(options)), dir);
}

TEST(ServeDocs, ServesSwaggerUiFromDocsDirAndNothingElse) {
  TempDir dir;
  const auto docs_dir = dir.path() / "swagger-ui-dist";
  api::write_fake_swagger_ui(docs_dir);
  auto service = serve_in(dir.path(), {"--docs-dir", docs_dir.string()});
  ASSERT_FALSE(service.address.empty()) << "no port file";
  const auto page = http_get(service.url("/docs"));
  ASSERT_EQ(page.status, 200) << page.error;
  EXPECT_EQ(page.headers.at("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(page.headers.at("content-security-policy"), api::kDocsContentSecurityPolicy);
  EXPECT_EQ(http_get(service.url("/docs/")).body, page.body);
  EXPECT_EQ(http_get(service.url("/docs/swagger-initializer.js")).headers.at("content-type"),
            "text/javascript; charset=utf-8");
  for (const auto& file : api::kSwaggerUiFiles) {
    const auto answer = http_get(service.url("/docs/" + std::string(file.name)));
    EXPECT_EQ(answer.status, 200) << file.name;
    EXPECT_EQ(answer.headers.at("content-type"), file.content_type) << file.name;
    EXPECT_EQ(answer.body, std::string(file.name) + " bytes");
  }
  // Sent as written: libcurl would resolve the dots itself.
  for (const auto& path : api::kTraversals) {
    RawConnection raw(port_of(service.address));
    ASSERT_TRUE(raw.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    const auto answer = raw.read_answer(std::chrono::seconds(10));
    EXPECT_EQ(answer.rfind("HTTP/1.1 404 ", 0), 0u) << path << "\n" << answer;
    EXPECT_EQ(answer.find("root:"), std::string::npos) << path;
  }
  EXPECT_EQ(service.child.stop(SIGTERM), 0);
}

TEST(ServeDocs, WithoutSwaggerUiTheServiceStartsWarnsAndDocsIs503) {
  TempDir dir;
  auto service = serve_in(dir.path(), {"--docs-dir", (dir.path() / "nowhere").string()});
  ASSERT_FALSE(service.address.empty()) << "no port file";
  const auto warning = wait_for_log(service.child, std::string(kNotInstalled));
  ASSERT_FALSE(warning.is_null());
  EXPECT_EQ(warning["level"], "warning");
  EXPECT_NE(warning["error"].get<std::string>().find("nowhere"), std::string::npos);
  const auto docs = http_get(service.url("/docs"));
  EXPECT_EQ(docs.status, 503);
  EXPECT_EQ(docs.json()["success"], false);
  EXPECT_NE(docs.json()["message"].get<std::string>().find("tools/setup.sh"), std::string::npos);
  EXPECT_EQ(http_get(service.url("/healthz")).status, 200);
  EXPECT_EQ(service.child.stop(SIGTERM), 0);
}

// Without --docs-dir, the server serves what tools/setup.sh installed for its build tree.
TEST(ServeDocs, ByDefaultServesWhatSetupInstalled) {
  const std::filesystem::path installed = CLIENTELE_DOCS_DIR;
  if (!std::filesystem::exists(installed / "swagger-ui-bundle.js")) {
    GTEST_SKIP() << "swagger-ui-dist is not in " << installed << ": run tools/setup.sh";
  }
  TempDir dir;
  auto service = serve_in(dir.path(), {});
  ASSERT_FALSE(service.address.empty()) << "no port file";
  const auto bundle = http_get(service.url("/docs/swagger-ui-bundle.js"));
  EXPECT_EQ(bundle.status, 200);
  EXPECT_GT(bundle.body.size(), 100'000u);
  EXPECT_NE(bundle.body.find("SwaggerUIBundle"), std::string::npos);
  EXPECT_EQ(service.child.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace clientele::testing
