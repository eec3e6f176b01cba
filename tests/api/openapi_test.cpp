// api/openapi.json against the route table of `clientele serve` (routes.hpp): both have the same
// (method, path) pairs, the document holds together, and the real server answers it on
// GET /openapi.json (openapi.hpp).

#include "api/openapi.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <csignal>
#include <functional>
#include <set>

#include "api/routes.hpp"
#include "tests/projections/read_model_fixture.hpp"
#include "tests/support/api_stack.hpp"
#include "tests/support/clientele.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::api {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// The operations of a path item in OpenAPI 3.
constexpr std::array<std::string_view, 8> kOperationKeys{"get",     "put",  "post",  "delete",
                                                         "options", "head", "patch", "trace"};

// "get" -> "GET".
std::string upper(std::string_view key) {
  std::string out(key);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Operations as "GET /api/v1/customers/{customerId}".
using Operations = std::set<std::string>;

Operations operations_of(const Router& router) {
  Operations out;
  for (const auto& route : router.routes()) {
    out.insert(std::string(to_string(route.method)) + " " + openapi_path(route.path));
  }
  return out;
}

// Calls `visit(operation, "GET /path", path_item)` for every operation of `document`.
template <class Visit>
void for_each_operation(const json& document, const Visit& visit) {
  for (const auto& [path, item] : document.at("paths").items()) {
    for (const auto key : kOperationKeys) {
      if (item.contains(key)) visit(item.at(key), upper(key) + " " + path, item);
    }
  }
}

Operations operations_of(const json& document) {
  Operations out;
  for_each_operation(document,
                     [&](const json&, const std::string& name, const json&) { out.insert(name); });
  return out;
}

// One line per operation of `these` that is not in `those`, saying `what` of it.
std::string each_missing(const Operations& these, const Operations& those, std::string_view what) {
  std::string out;
  for (const auto& operation : these) {
    if (!those.contains(operation)) out += "  " + operation + ": " + std::string(what) + "\n";
  }
  return out;
}

// `node`, or what its "$ref" points to in `document`.
const json& resolved(const json& document, const json& node) {
  if (!node.contains("$ref")) return node;
  return document.at(json::json_pointer(node.at("$ref").get<std::string>().substr(1)));
}

json document() {
  return json::parse(openapi_document());
}

// The route table the server builds (build_routes), over a projector of no read model.
class OpenApiDocument : public projections::ReadModelTest {
 protected:
  // The operations of the table; its routes are listed, never called.
  Operations routed() {
    const auto router = table();
    return router.ok() ? operations_of(*router) : Operations{};
  }
  // The table itself.
  Result<Router> table() {
    live_ = projector({});
    lag_ = std::make_unique<LagMonitor>(*log_, *live_, *store_, 1s);
    stack_ = std::make_unique<testing::ApiStack>(*log_, *store_, *live_, dir_.path() / "api");
    auto router = stack_->route_table(*lag_, metrics_);
    EXPECT_TRUE(router.ok()) << router.error().message;
    return router;
  }

  std::unique_ptr<projections::Projector> live_;
  std::unique_ptr<LagMonitor> lag_;
  HttpMetrics metrics_;
  std::unique_ptr<testing::ApiStack> stack_;
};

TEST(OpenApiPath, ParametersBecomeBracesAndTheRestIsKept) {
  EXPECT_EQ(openapi_path("/api/v1/customers/:customerId"), "/api/v1/customers/{customerId}");
  EXPECT_EQ(openapi_path("/a/:b/c/:d"), "/a/{b}/c/{d}");
  EXPECT_EQ(openapi_path("/healthz"), "/healthz");
  EXPECT_EQ(openapi_path("/docs/"), "/docs/");
  EXPECT_EQ(openapi_path("/"), "/");
  EXPECT_EQ(openapi_path("/a:b/:c"), "/a:b/{c}");
}

TEST(OpenApiDocumentText, IsOpenApi3WithInfoAndPaths) {
  const auto parsed = json::parse(openapi_document(), nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << "api/openapi.json is not JSON";
  const auto version = parsed.value("openapi", "");
  EXPECT_TRUE(version.starts_with("3.0.") || version.starts_with("3.1.")) << version;
  ASSERT_TRUE(parsed.contains("info"));
  EXPECT_TRUE(parsed["info"].value("title", "") != "");
  EXPECT_TRUE(parsed["info"].value("version", "") != "");
  ASSERT_TRUE(parsed.contains("paths"));
  EXPECT_TRUE(parsed["paths"].is_object());
  EXPECT_FALSE(parsed["paths"].empty());
}

TEST_F(OpenApiDocument, DescribesExactlyTheRoutesOfTheServer) {
  const auto served = routed();
  const auto described = operations_of(document());
  EXPECT_EQ(served, described)
      << each_missing(served, described, "a route of the server missing from api/openapi.json")
      << each_missing(described, served, "in api/openapi.json but no route of the server");
}

TEST_F(OpenApiDocument, TheServerHasTheOpsRoutes) {
  const auto served = routed();
  for (const char* operation : {"GET /healthz", "GET /readyz", "GET /metrics", "GET /openapi.json",
                                "GET /docs", "GET /docs/"}) {
    EXPECT_TRUE(served.contains(operation)) << operation;
  }
}

TEST_F(OpenApiDocument, OperationsNeedATokenExactlyWhenTheirRoutesDo) {
  const auto router = table();
  ASSERT_TRUE(router.ok());
  const auto parsed = document();
  const bool token_by_default = !parsed.value("security", json::array()).empty();
  for (const auto& route : router->routes()) {
    const auto path = openapi_path(route.path);
    auto method = std::string(to_string(route.method));
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto item = parsed.at("paths").value(path, json::object());
    if (!item.contains(method)) continue;  // reported by DescribesExactlyTheRoutesOfTheServer
    const auto& operation = item.at(method);
    const bool needs_token =
        operation.contains("security") ? !operation.at("security").empty() : token_by_default;
    EXPECT_EQ(needs_token, route.access != Access::anyone)
        << to_string(route.method) << " " << path
        << (needs_token ? ": the document asks for a token the route does not need"
                        : ": the route needs a token the document does not mention");
  }
}

TEST(OpenApiDocumentText, EveryPathParameterIsDeclaredAsRequired) {
  const auto parsed = document();
  for_each_operation(parsed, [&](const json& operation, const std::string& name, const json& item) {
    const auto path = name.substr(name.find(' ') + 1);
    for (auto open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
      const auto parameter = path.substr(open + 1, path.find('}', open) - open - 1);
      bool declared = false;
      for (const auto* scope : {&item, &operation}) {
        for (const auto& p : scope->value("parameters", json::array())) {
          const auto& declaration = resolved(parsed, p);
          declared = declared || (declaration.value("in", "") == "path" &&
                                  declaration.value("name", "") == parameter &&
                                  declaration.value("required", false));
        }
      }
      EXPECT_TRUE(declared) << name << ": path parameter " << parameter
                            << " is not declared (in: path, required: true)";
    }
  });
}

TEST(OpenApiDocumentText, EveryOperationHasAnIdATagASummaryAndResponses) {
  const auto parsed = document();
  std::set<std::string> tags;
  for (const auto& tag : parsed.at("tags")) tags.insert(tag.at("name").get<std::string>());
  std::set<std::string> ids;
  for_each_operation(parsed, [&](const json& operation, const std::string& name, const json&) {
    const auto id = operation.value("operationId", "");
    EXPECT_FALSE(id.empty()) << name;
    EXPECT_TRUE(ids.insert(id).second) << name << ": operationId " << id << " is used twice";
    EXPECT_FALSE(operation.value("summary", "").empty()) << name;
    ASSERT_TRUE(operation.contains("tags")) << name;
    for (const auto& tag : operation.at("tags")) {
      EXPECT_TRUE(tags.contains(tag.get<std::string>())) << name << ": undeclared tag " << tag;
    }
    ASSERT_TRUE(operation.contains("responses")) << name;
    EXPECT_TRUE(operation.at("responses").contains("default")) << name << ": no default (Error)";
  });
}

// Calls `visit(reference, where)` for every "$ref" in `node`.
using VisitReference = std::function<void(const std::string& reference, const std::string& where)>;
void for_each_reference(const json& node, const std::string& where, const VisitReference& visit) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "$ref" && value.is_string()) visit(value.get<std::string>(), where);
      for_each_reference(value, where + "/" + key, visit);
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      for_each_reference(node[i], where + "/" + std::to_string(i), visit);
    }
  }
}

TEST(OpenApiDocumentText, EveryReferenceResolvesWithinTheDocument) {
  const auto parsed = document();
  int references = 0;
  for_each_reference(parsed, "", [&](const std::string& reference, const std::string& where) {
    ++references;
    ASSERT_TRUE(reference.starts_with("#/")) << where << ": " << reference;
    EXPECT_TRUE(parsed.contains(json::json_pointer(reference.substr(1))))
        << where << ": " << reference << " is not in the document";
  });
  EXPECT_GT(references, 0);
}

TEST(OpenApiDocumentText, TheEnvelopeIsASharedSchemaAndTokensAreBearerJwts) {
  const auto parsed = document();
  const auto& envelope = parsed.at("/components/schemas/Envelope"_json_pointer);
  EXPECT_EQ(envelope.at("required"), (json{"success", "message", "data", "errors"}));
  EXPECT_EQ(envelope.at("/properties/errors/items/$ref"_json_pointer),
            "#/components/schemas/FieldError");
  EXPECT_EQ(parsed.at("/components/schemas/FieldError/required"_json_pointer),
            (json{"field", "message"}));
  const auto& bearer = parsed.at("/components/securitySchemes/bearerAuth"_json_pointer);
  EXPECT_EQ(bearer.at("type"), "http");
  EXPECT_EQ(bearer.at("scheme"), "bearer");
  EXPECT_EQ(bearer.at("bearerFormat"), "JWT");
}

}  // namespace
}  // namespace clientele::api

namespace clientele::testing {
namespace {

TEST(ServeOpenApi, TheServerAnswersTheDocumentBuiltIntoItAsJson) {
  TempDir dir;
  Service service(serve_with({"--data-dir", (dir.path() / "var").string()}), dir.path());
  ASSERT_FALSE(service.address.empty()) << "no port file";
  const auto answer = http_get(service.url("/openapi.json"));
  ASSERT_EQ(answer.status, 200) << answer.error;
  EXPECT_EQ(answer.headers.at("content-type"), "application/json");
  EXPECT_EQ(answer.body, api::openapi_document());
  EXPECT_EQ(answer.json().value("openapi", ""), "3.0.3");
  EXPECT_EQ(service.child.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace clientele::testing
