// The route table and what every request goes through before its route (DESIGN.md §6).

#include "api/dispatcher.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "api/envelope.hpp"
#include "api/request_reader.hpp"

namespace clientele::api {
namespace {

using nlohmann::json;

Handler answering(std::string text) {
  return [text](const Request& request) {
    json params = json::object();
    for (const auto& [name, value] : request.params) params[name] = value;
    return success(200, text, {{"params", params}, {"body", request.body}});
  };
}

TEST(Router, MatchesLiteralAndParameterSegments) {
  Router router;
  ASSERT_TRUE(router.add(Method::Get, "/api/v1/customers/:customerId", answering("one")).ok());
  const auto match = router.match(Method::Get, "/api/v1/customers/CUST_0000ada1");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->path, "/api/v1/customers/:customerId");
  EXPECT_EQ(match.params.at("customerId"), "CUST_0000ada1");
  EXPECT_EQ(router.match(Method::Get, "/api/v1/customers/").route, nullptr);
  EXPECT_EQ(router.match(Method::Get, "/api/v1/customers/x/y").route, nullptr);
  EXPECT_EQ(router.match(Method::Get, "/api/v1/customers").route, nullptr);
}

TEST(Router, ALiteralSegmentWinsOverAParameter) {
  Router router;
  ASSERT_TRUE(router.add(Method::Get, "/customers/:customerId", answering("by id")).ok());
  ASSERT_TRUE(router.add(Method::Get, "/customers/me", answering("me")).ok());
  EXPECT_EQ(router.match(Method::Get, "/customers/me").route->path, "/customers/me");
  EXPECT_EQ(router.match(Method::Get, "/customers/CUST_1").route->path, "/customers/:customerId");
}

TEST(Router, APathOfOtherMethodsListsThemAndAnUnknownPathNone) {
  Router router;
  ASSERT_TRUE(router.add(Method::Post, "/things", answering("post")).ok());
  ASSERT_TRUE(router.add(Method::Get, "/things", answering("get")).ok());
  const auto wrong = router.match(Method::Delete, "/things");
  EXPECT_EQ(wrong.route, nullptr);
  EXPECT_EQ(wrong.allowed, (std::vector<Method>{Method::Get, Method::Post}));
  const auto unknown = router.match(Method::Get, "/nothing");
  EXPECT_EQ(unknown.route, nullptr);
  EXPECT_TRUE(unknown.allowed.empty());
}

TEST(Router, RefusesTheSameRouteTwiceAndMalformedTemplates) {
  Router router;
  ASSERT_TRUE(router.add(Method::Get, "/a/:id", answering("")).ok());
  const auto twice = router.add(Method::Get, "/a/:other", answering(""));
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, errc::conflict);
  EXPECT_TRUE(router.add(Method::Put, "/a/:id", answering("")).ok());
  EXPECT_EQ(router.add(Method::Get, "a", answering("")).error().code, errc::invalid);
  EXPECT_EQ(router.add(Method::Get, "/a?b", answering("")).error().code, errc::invalid);
  EXPECT_EQ(router.add(Method::Get, "/a/:", answering("")).error().code, errc::invalid);
}

// A dispatcher over GET /plain (no body), POST /things (a JSON body) and GET /boom (throws).
class DispatcherTest : public ::testing::Test {
 protected:
  static Dispatcher make(std::vector<std::string>* logged = nullptr) {
    Router router;
    EXPECT_TRUE(router.add(Method::Get, "/plain", answering("plain")).ok());
    EXPECT_TRUE(router.add(Method::Post, "/things", answering("things"), Body::json).ok());
    EXPECT_TRUE(
        router
            .add(Method::Get, "/boom",
                 [](const Request&) -> Response { throw std::runtime_error("secret@example.com"); })
            .ok());
    DispatchOptions options{.max_body_bytes = 100, .max_json_depth = 3};
    if (logged != nullptr) {
      options.log = [logged](LogLevel, std::string_view message, const json& fields) {
        logged->push_back(std::string(message) + " " + fields.dump());
      };
    }
    return Dispatcher(std::move(router), options);
  }

  static Request request(Method method, std::string path, std::string body = "",
                         std::string content_type = "application/json") {
    Request r;
    r.method = method;
    r.path = std::move(path);
    r.body_text = std::move(body);
    if (!content_type.empty()) r.headers.add("Content-Type", content_type);
    return r;
  }

  static json body_of(const Dispatcher::Answer& answer) {
    return json::parse(answer.response.body);
  }
};

TEST_F(DispatcherTest, AnUnknownPathIs404WithTheEnvelope) {
  const auto answer = make().dispatch(request(Method::Get, "/nothing/CUST_0000ada1"));
  EXPECT_EQ(answer.response.status, 404);
  EXPECT_EQ(answer.route, kUnmatchedRoute);
  EXPECT_EQ(body_of(answer)["success"], false);
  EXPECT_EQ(answer.response.body.find("CUST_0000ada1"), std::string::npos) << "echoes the path";
}

TEST_F(DispatcherTest, AKnownPathWithAnotherMethodIs405WithAllow) {
  const auto answer = make().dispatch(request(Method::Delete, "/things"));
  EXPECT_EQ(answer.response.status, 405);
  ASSERT_EQ(answer.response.headers.size(), 1u);
  EXPECT_EQ(answer.response.headers[0], (std::pair<std::string, std::string>{"Allow", "POST"}));
  EXPECT_EQ(body_of(answer)["success"], false);
}

TEST_F(DispatcherTest, ABodyRouteGetsItsBodyParsed) {
  const auto answer = make().dispatch(request(Method::Post, "/things", R"({"a":1})"));
  EXPECT_EQ(answer.response.status, 200);
  EXPECT_EQ(answer.route, "/things");
  EXPECT_EQ(body_of(answer)["data"]["body"], (json{{"a", 1}}));
}

TEST_F(DispatcherTest, ABodyOverTheLimitIs413) {
  const auto answer = make().dispatch(request(Method::Post, "/things", std::string(101, ' ')));
  EXPECT_EQ(answer.response.status, 413);
  EXPECT_EQ(body_of(answer)["message"], "the request body is larger than 100 bytes");
}

TEST_F(DispatcherTest, ABodyThatIsNotDeclaredJsonIs415) {
  const auto dispatcher = make();
  EXPECT_EQ(
      dispatcher.dispatch(request(Method::Post, "/things", "a=1", "text/plain")).response.status,
      415);
  EXPECT_EQ(dispatcher.dispatch(request(Method::Post, "/things", "{}", "")).response.status, 415);
}

TEST_F(DispatcherTest, MalformedOrTooDeepJsonIs400) {
  const auto dispatcher = make();
  const auto malformed = dispatcher.dispatch(request(Method::Post, "/things", R"({"a":)"));
  EXPECT_EQ(malformed.response.status, 400);
  EXPECT_EQ(body_of(malformed)["message"], "the request body is not JSON");
  const auto deep =
      dispatcher.dispatch(request(Method::Post, "/things", R"({"a":{"b":{"c":{}}}})"));
  EXPECT_EQ(deep.response.status, 400);
  EXPECT_EQ(body_of(deep)["message"], "the request body nests deeper than 3 levels");
}

TEST_F(DispatcherTest, ARouteWithoutBodyTakesAnEmptyObjectButNamesAnyMember) {
  const auto dispatcher = make();
  EXPECT_EQ(dispatcher.dispatch(request(Method::Get, "/plain", "{ }")).response.status, 200);
  const auto member = dispatcher.dispatch(request(Method::Get, "/plain", R"({"x":1})"));
  EXPECT_EQ(member.response.status, 400);
  EXPECT_EQ(body_of(member)["errors"],
            (json{{{"field", "x"}, {"message", "is not a field of this request"}}}));
}

TEST_F(DispatcherTest, NoBodyNeedsNoContentType) {
  EXPECT_EQ(make().dispatch(request(Method::Get, "/plain", "", "")).response.status, 200);
}

TEST_F(DispatcherTest, ARouteThatThrowsIs500AndItsMessageIsNotLogged) {
  std::vector<std::string> logged;
  const auto answer = make(&logged).dispatch(request(Method::Get, "/boom"));
  EXPECT_EQ(answer.response.status, 500);
  EXPECT_EQ(answer.route, "/boom");
  EXPECT_EQ(body_of(answer)["message"], "internal error");
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_NE(logged[0].find("/boom"), std::string::npos);
  EXPECT_EQ(logged[0].find("secret@example.com"), std::string::npos) << logged[0];
  EXPECT_EQ(answer.response.body.find("secret@example.com"), std::string::npos);
}

TEST_F(DispatcherTest, RoutesAreLabelledByTemplate) {
  Router router;
  ASSERT_TRUE(router.add(Method::Get, "/customers/:customerId", answering("")).ok());
  const Dispatcher dispatcher(std::move(router), {});
  EXPECT_EQ(dispatcher.route_label(Method::Get, "/customers/CUST_0000ada1"),
            "/customers/:customerId");
  EXPECT_EQ(dispatcher.route_label(Method::Get, "/elsewhere"), kUnmatchedRoute);
}

}  // namespace
}  // namespace clientele::api
