// The HTTP server in this process, with routes of the test's own (the product binary has none of
// them): what reaches a route, the limits, connections, timeouts and draining (http_server.hpp).

#include "api/http_server.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "api/envelope.hpp"
#include "api/error_mapping.hpp"
#include "api/request_reader.hpp"
#include "tests/support/http_client.hpp"

namespace clientele::api {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::http;
using testing::http_get;
using testing::HttpRequest;
using testing::RawConnection;

constexpr std::size_t kMaxBody = 4096;

// A route that blocks until the test lets it go.
class Gate {
 public:
  // Called by the route: says it arrived, then waits to be let go (at most 30 s).
  void pass() {
    std::unique_lock lock(mu_);
    arrived_ = true;
    changed_.notify_all();
    changed_.wait_for(lock, 30s, [this] { return open_; });
  }
  bool wait_arrived(std::chrono::milliseconds limit) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, limit, [this] { return arrived_; });
  }
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  bool arrived_ = false;  // guarded by mu_
  bool open_ = false;     // guarded by mu_
};

// A server on a free loopback port with: POST /echo (reads {name, count?} and answers them),
// GET /hello, GET /slow (passes the gate). Short timeouts, a body limit of kMaxBody.
class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Router router;
    ASSERT_TRUE(
        router
            .add(
                Method::Post, "/echo",
                [](const Request& request) {
                  RequestReader body(request.body);
                  const auto name = body.string("name");
                  const auto count = body.integer("count", Presence::optional, 0, 10);
                  if (auto problems = body.finish(); !problems.empty())
                    return validation_failed(problems);
                  return success(200, "echo", {{"name", *name}, {"count", count.value_or(0)}});
                },
                Body::json)
            .ok());
    ASSERT_TRUE(
        router.add(Method::Get, "/hello", [](const Request&) { return success(200, "hello"); })
            .ok());
    ASSERT_TRUE(router
                    .add(Method::Get, "/slow",
                         [this](const Request&) {
                           gate_.pass();
                           return success(200, "slow");
                         })
                    .ok());
    ServerOptions options;
    options.port = 0;
    options.header_timeout = 1s;
    options.body_timeout = 2s;
    options.keepalive_timeout = 5s;
    server_ = std::make_unique<HttpServer>(
        Dispatcher(std::move(router), {.max_body_bytes = kMaxBody, .max_json_depth = 4}), metrics_,
        options);
    auto port = server_->start();
    ASSERT_TRUE(port.ok()) << port.error().message;
    port_ = *port;
  }

  void TearDown() override {
    gate_.open();
    server_->stop();
  }

  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }

  testing::HttpAnswer post_json(std::string body) {
    return http(HttpRequest{.method = "POST",
                            .url = url("/echo"),
                            .body = std::move(body),
                            .headers = {"Content-Type: application/json"}});
  }

  std::string metrics_text() const {
    PrometheusText out;
    metrics_.render(out);
    return out.text();
  }

  Gate gate_;
  HttpMetrics metrics_;
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
};

TEST_F(HttpServerTest, ARouteReadsItsBodyAndAnswersTheEnvelope) {
  const auto answer = post_json(R"({"name":"box","count":3})");
  ASSERT_EQ(answer.status, 200) << answer.error << answer.body;
  EXPECT_EQ(answer.headers.at("content-type"), "application/json");
  EXPECT_EQ(answer.json(), (json{{"success", true},
                                 {"message", "echo"},
                                 {"data", {{"name", "box"}, {"count", 3}}},
                                 {"errors", json::array()}}));
}

TEST_F(HttpServerTest, ValidationProblemsComeBackPerField) {
  const auto answer = post_json(R"({"count":"three","isAdmin":true})");
  ASSERT_EQ(answer.status, 400) << answer.body;
  EXPECT_EQ(answer.json()["errors"],
            (json{{{"field", "name"}, {"message", "is required"}},
                  {{"field", "count"}, {"message", "must be an integer"}},
                  {{"field", "isAdmin"}, {"message", "is not a field of this request"}}}));
}

TEST_F(HttpServerTest, MalformedJsonIs400AndTooDeepJsonToo) {
  const auto malformed = post_json(R"({"name":)");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.json()["message"], "the request body is not JSON");
  const auto deep = post_json(R"({"name":{"a":{"b":{"c":{}}}}})");
  EXPECT_EQ(deep.status, 400);
  EXPECT_EQ(deep.json()["message"], "the request body nests deeper than 4 levels");
}

TEST_F(HttpServerTest, ABodyNotDeclaredJsonIs415) {
  const auto answer =
      http(HttpRequest{.method = "POST",
                       .url = url("/echo"),
                       .body = "name=box",
                       .headers = {"Content-Type: application/x-www-form-urlencoded"}});
  EXPECT_EQ(answer.status, 415);
  EXPECT_EQ(answer.json()["success"], false);
}

TEST_F(HttpServerTest, ABodyAtTheLimitPassesAndOneByteMoreIs413ThenTheConnectionCloses) {
  const std::string at_limit = "{" + std::string(kMaxBody - 2, ' ') + "}";
  const auto fits = http(HttpRequest{.method = "GET",
                                     .url = url("/hello"),
                                     .body = at_limit,
                                     .headers = {"Content-Type: application/json"}});
  EXPECT_EQ(fits.status, 200) << fits.body;
  const auto over = http(HttpRequest{.method = "GET",
                                     .url = url("/hello"),
                                     .body = at_limit + " ",
                                     .headers = {"Content-Type: application/json"}});
  EXPECT_EQ(over.status, 413);
  EXPECT_EQ(over.json()["message"], "the request body is larger than 4096 bytes");
  EXPECT_EQ(over.headers.at("connection"), "Close");
}

TEST_F(HttpServerTest, AMebibyteBodyIs413AtOnceAndNothingMoreIsAnsweredOnItsConnection) {
  RawConnection connection(port_);
  const std::string body(1 << 20, ' ');
  ASSERT_TRUE(
      connection.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      "Content-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n"));
  const auto began = std::chrono::steady_clock::now();
  // The answer comes once the headers are in, before any of the body is sent.
  const auto answer = connection.read_answer(5s);
  EXPECT_LT(std::chrono::steady_clock::now() - began, 2s);
  ASSERT_EQ(answer.rfind("HTTP/1.1 413 ", 0), 0u) << answer;
  EXPECT_NE(answer.find("Connection: Close"), std::string::npos) << answer;
  EXPECT_NE(answer.find(R"("success":false)"), std::string::npos) << answer;
  (void)connection.send(body);  // dropped unread
  const auto rest = connection.read_until_closed(5s);
  EXPECT_TRUE(connection.closed()) << "the server keeps the connection";
  EXPECT_EQ(rest, "") << "more answers after the 413";
  EXPECT_EQ(http_get(url("/hello")).status, 200);
  EXPECT_NE(metrics_text().find(R"(route="/echo",status="413")"), std::string::npos)
      << metrics_text();
}

TEST_F(HttpServerTest, AClientThatExpects100ContinueIsAskedForItsBody) {
  RawConnection connection(port_);
  ASSERT_TRUE(
      connection.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      "Expect: 100-continue\r\nContent-Length: 14\r\n\r\n"));
  EXPECT_EQ(connection.read_answer(5s), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(connection.send(R"({"name":"box"})"));
  const auto answer = connection.read_answer(5s);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 ", 0), 0u) << answer;
}

TEST_F(HttpServerTest, AChunkedBodyThatGrowsPastTheLimitIs413) {
  RawConnection connection(port_);
  ASSERT_TRUE(
      connection.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n100000\r\n"));
  (void)connection.send(std::string(64 * 1024, ' '));
  const auto answer = connection.read_answer(5s);
  ASSERT_EQ(answer.rfind("HTTP/1.1 413 ", 0), 0u) << answer;
  EXPECT_EQ(connection.read_until_closed(5s), "");
  EXPECT_TRUE(connection.closed());
}

TEST_F(HttpServerTest, AMalformedRequestIs400WithTheEnvelopeAndClosesTheConnection) {
  RawConnection connection(port_);
  ASSERT_TRUE(
      connection.send("BREW /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\n\r\n"));
  const auto answer = connection.read_answer(5s);
  ASSERT_EQ(answer.rfind("HTTP/1.1 400 ", 0), 0u) << answer;
  EXPECT_NE(answer.find("Unknown HTTP request method"), std::string::npos) << answer;
  EXPECT_EQ(connection.read_until_closed(5s), "");
  EXPECT_TRUE(connection.closed());
}

TEST_F(HttpServerTest, AKeepAliveConnectionServesOneRequestAfterAnother) {
  RawConnection connection(port_);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(connection.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    const auto answer = connection.read_answer(5s);
    ASSERT_EQ(answer.rfind("HTTP/1.1 200 ", 0), 0u) << i << ": " << answer;
    EXPECT_NE(answer.find("Connection: Keep-Alive"), std::string::npos) << answer;
  }
  ASSERT_TRUE(connection.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_NE(connection.read_answer(5s).find("Connection: Close"), std::string::npos);
  EXPECT_EQ(connection.read_until_closed(5s), "");
  EXPECT_TRUE(connection.closed());
}

TEST_F(HttpServerTest, TheHeaderTimeoutAppliesToEveryRequestOfAConnection) {
  RawConnection connection(port_);
  ASSERT_TRUE(connection.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(connection.read_answer(5s).rfind("HTTP/1.1 200 ", 0), 0u);
  // The second request's headers never end: after the header timeout (1 s), 408 and closed.
  ASSERT_TRUE(connection.send("GET /hello HTTP/1.1\r\nHost: x\r\n"));
  const auto began = std::chrono::steady_clock::now();
  const auto rest = connection.read_until_closed(10s);
  EXPECT_EQ(rest.rfind("HTTP/1.1 408 ", 0), 0u) << rest;
  EXPECT_TRUE(connection.closed());
  EXPECT_LT(std::chrono::steady_clock::now() - began, 4s);
}

TEST_F(HttpServerTest, DrainWaitsForTheRequestInItsRouteAndRefusesNewOnes) {
  auto slow = std::async(std::launch::async, [this] { return http_get(url("/slow")); });
  ASSERT_TRUE(gate_.wait_arrived(10s));
  EXPECT_EQ(server_->in_flight(), 1u);
  server_->refuse_new_requests();
  auto drained = std::async(std::launch::async, [this] { return server_->drain(20s); });
  // Begun after the drain began: refused, whichever thread takes it (the slow route blocks one;
  // a request given to that one begins once the route returns, still while draining).
  auto refused = std::async(std::launch::async, [this] { return http_get(url("/hello")); });
  EXPECT_EQ(drained.wait_for(100ms), std::future_status::timeout) << "drained before the answer";
  gate_.open();
  EXPECT_EQ(slow.get().status, 200);
  const auto refusal = refused.get();
  EXPECT_EQ(refusal.status, 503) << refusal.error;
  EXPECT_EQ(refusal.json()["message"], "the service is shutting down");
  EXPECT_TRUE(drained.get());
  EXPECT_EQ(server_->in_flight(), 0u);
}

TEST_F(HttpServerTest, DrainGivesUpAfterItsLimit) {
  auto slow = std::async(std::launch::async, [this] { return http_get(url("/slow")); });
  ASSERT_TRUE(gate_.wait_arrived(10s));
  EXPECT_FALSE(server_->drain(100ms));
  gate_.open();
  EXPECT_EQ(slow.get().status, 200);
}

TEST_F(HttpServerTest, AnAddressInUseIsUnavailableAndNamed) {
  ServerOptions options;
  options.port = port_;
  HttpServer second(Dispatcher(Router(), {}), metrics_, options);
  const auto started = second.start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, errc::unavailable);
  EXPECT_NE(started.error().message.find("127.0.0.1:" + std::to_string(port_)), std::string::npos)
      << started.error().message;
}

}  // namespace
}  // namespace clientele::api
