// The REST API of `clientele serve`, run as a separate process on a free loopback port, as ops
// and clients reach it: the ops routes, the envelope on every refusal, the body limits, and the
// stop on SIGTERM (DESIGN.md §5, §6, §7).

#include <gtest/gtest.h>
#include <signal.h>

#include <future>
#include <thread>

#include "tests/support/clientele.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr std::array<const char*, 9> kModels{
    "address_book",  "audit_timeline",   "commerce_analytics", "complaints", "customer_analytics",
    "customer_list", "customer_profile", "customer_search",    "orders"};

// Polls GET `url` until `done` holds for its answer, for up to 30 s; returns the last answer.
template <class Done>
HttpAnswer wait_for(const std::string& url, const Done& done) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  auto answer = http_get(url);
  while (!done(answer) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    answer = http_get(url);
  }
  return answer;
}

// Polls /readyz of `service` until it is ready with no lag at all (the lag is measured every
// 500 ms); returns its last answer.
HttpAnswer wait_until_caught_up(const Service& service) {
  return wait_for(service.url("/readyz"), [](const HttpAnswer& answer) {
    return answer.status == 200 && answer.json()["data"]["lag"] == 0;
  });
}

// A sample of `metrics` (Prometheus text): the value of the line that starts with `series`, or
// -1 when there is none.
double sample_of(const std::string& metrics, const std::string& series) {
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

// A service on an installation of three events (write_three_events), caught up.
class ServeApi : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(write_three_events(dir_.path()));
    service_ = std::make_unique<Service>(serve_command(dir_.path()), dir_.path());
    ASSERT_FALSE(service_->address.empty()) << "no port file";
    ASSERT_FALSE(wait_for_log(service_->child, "read models caught up").is_null());
  }

  void TearDown() override {
    if (service_) {
      EXPECT_EQ(service_->child.stop(SIGTERM), 0);
    }
  }

  std::string url(std::string_view path) const { return service_->url(path); }

  TempDir dir_;
  std::unique_ptr<Service> service_;
};

TEST_F(ServeApi, HealthzAnswersWhileTheProcessRuns) {
  const auto answer = http_get(url("/healthz"));
  ASSERT_EQ(answer.status, 200) << answer.error;
  EXPECT_EQ(answer.headers.at("content-type"), "application/json");
  EXPECT_EQ(answer.json(), (json{{"success", true},
                                 {"message", "alive"},
                                 {"data", {{"status", "alive"}}},
                                 {"errors", json::array()}}));
}

TEST_F(ServeApi, ReadyzIsReadyOnceTheReadModelsCaughtUp) {
  const auto answer = wait_until_caught_up(*service_);
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto body = answer.json();
  EXPECT_EQ(body["success"], true);
  EXPECT_EQ(body["data"]["eventLog"], "reachable");
  EXPECT_EQ(body["data"]["lag"], 0);
  EXPECT_EQ(body["data"]["maxLag"], 1000);
}

TEST_F(ServeApi, MetricsCountRequestsByRouteTemplateAndShowTheLagPerModelAndPartition) {
  ASSERT_EQ(http_get(url("/healthz")).status, 200);
  ASSERT_EQ(http_get(url("/no/such/CUST_0000ada1")).status, 404);
  ASSERT_EQ(wait_until_caught_up(*service_).json()["data"]["lag"], 0);
  const auto metrics = http_get(url("/metrics"));
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.headers.at("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const auto& text = metrics.body;
  EXPECT_GE(
      sample_of(text,
                R"(clientele_http_requests_total{method="GET",route="/healthz",status="200"})"),
      1);
  EXPECT_EQ(
      sample_of(text,
                R"(clientele_http_requests_total{method="GET",route="unmatched",status="404"})"),
      1);
  EXPECT_GE(
      sample_of(
          text,
          R"(clientele_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"})"),
      1);
  for (const char* model : kModels) {
    for (int partition = 0; partition < 12; ++partition) {
      const auto series = std::string("clientele_projector_lag_events{model=\"") + model +
                          "\",partition=\"" + std::to_string(partition) + "\"}";
      EXPECT_EQ(sample_of(text, series), 0) << series;
    }
  }
  EXPECT_EQ(sample_of(text, "clientele_projector_events_folded_total"), 3);
  // Labels name routes by template, never a path requested or anything personal.
  EXPECT_EQ(text.find("CUST_"), std::string::npos);
  EXPECT_EQ(text.find("/no/such"), std::string::npos);
  EXPECT_EQ(text.find("example.com"), std::string::npos);
}

TEST_F(ServeApi, AnUnknownRouteIs404WithTheEnvelope) {
  const auto answer = http_get(url("/api/v1/nothing"));
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(answer.json(), (json{{"success", false},
                                 {"message", "there is no such resource"},
                                 {"data", nullptr},
                                 {"errors", json::array()}}));
}

TEST_F(ServeApi, AWrongMethodIs405WithAllow) {
  const auto answer = http(HttpRequest{.method = "DELETE", .url = url("/healthz")});
  EXPECT_EQ(answer.status, 405);
  EXPECT_EQ(answer.headers.at("allow"), "GET");
  EXPECT_EQ(answer.json()["success"], false);
}

TEST_F(ServeApi, AMebibyteBodyIs413QuicklyAndTheServiceKeepsServing) {
  const auto answer = http(HttpRequest{.method = "POST",
                                       .url = url("/healthz"),
                                       .body = std::string(1 << 20, 'a'),
                                       .headers = {"Content-Type: application/json"}});
  EXPECT_EQ(answer.status, 413) << answer.error;
  EXPECT_LT(answer.took, 2s);
  EXPECT_EQ(answer.json()["message"], "the request body is larger than 65536 bytes");
  EXPECT_EQ(answer.json()["success"], false);
  EXPECT_EQ(http_get(url("/healthz")).status, 200);
}

TEST_F(ServeApi, ABodyThatIsNotJsonIs415) {
  const auto answer = http(HttpRequest{.method = "GET",
                                       .url = url("/healthz"),
                                       .body = "hello",
                                       .headers = {"Content-Type: text/plain"}});
  EXPECT_EQ(answer.status, 415);
  EXPECT_EQ(answer.json()["message"], "request bodies must be application/json");
}

TEST_F(ServeApi, MalformedJsonIs400AndAMemberARouteDoesNotTakeIsNamed) {
  const auto malformed = http(HttpRequest{.method = "GET",
                                          .url = url("/healthz"),
                                          .body = R"({"a":)",
                                          .headers = {"Content-Type: application/json"}});
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.json()["message"], "the request body is not JSON");
  const auto member = http(HttpRequest{.method = "GET",
                                       .url = url("/healthz"),
                                       .body = R"({"verbose":true})",
                                       .headers = {"Content-Type: application/json"}});
  EXPECT_EQ(member.status, 400);
  EXPECT_EQ(member.json()["errors"],
            (json{{{"field", "verbose"}, {"message", "is not a field of this request"}}}));
}

// SIGTERM while a client is still sending its request: the request is answered, new ones are
// refused, then the projector stops and the process exits 0.
TEST_F(ServeApi, SigtermLetsTheRequestInFlightFinishThenExits0) {
  RawConnection slow(port_of(service_->address));
  const std::string body = "{" + std::string(1000, ' ') + "}";
  ASSERT_TRUE(
      slow.send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Content-Length: " +
                std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 500)));
  // Once the service counts it in flight (with the /metrics request that asks), stop it.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (sample_of(http_get(url("/metrics")).body, "clientele_http_requests_in_flight") < 2 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  std::vector<json> seen;
  service_->child.send_signal(SIGTERM);
  const auto draining = wait_for_log(service_->child, "draining http requests", &seen);
  ASSERT_FALSE(draining.is_null());
  EXPECT_GE(draining["inFlight"], 1);  // the /metrics request may not be done yet
  const auto refused = http_get(url("/healthz"));
  EXPECT_EQ(refused.status, 503) << refused.error;
  ASSERT_TRUE(slow.send(body.substr(500)));
  const auto answer = slow.read_answer(10s);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 ", 0), 0u) << answer;
  EXPECT_NE(answer.find("Connection: Close"), std::string::npos) << answer;
  for (const char* next :
       {"http requests drained", "http server stopped", "projector stopped", "stopped"}) {
    EXPECT_FALSE(wait_for_log(service_->child, next, &seen).is_null()) << next;
  }
  EXPECT_EQ(service_->child.stop(SIGTERM), 0);
  service_.reset();
}

// `clientele serve` on a new installation in `dir` (with development keys).
std::vector<std::string> serve_new(const std::filesystem::path& dir) {
  return serve_with({"--data-dir", (dir / "var").string()});
}

TEST(ServeApiOptions, AnAddressInUseExits1NamingIt) {
  TempDir dir;
  Service first(serve_new(dir.path()), dir.path());
  ASSERT_FALSE(first.address.empty());
  TempDir other;
  const auto second = run_process(
      {kBinary, "serve", "--data-dir", (other.path() / "var").string(), "--listen", first.address});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("cannot listen on " + first.address), std::string::npos) << second.err;
  EXPECT_EQ(first.child.stop(SIGTERM), 0);
}

TEST(ServeApiOptions, AMalformedListenAddressIsAUsageError) {
  for (const char* listen : {"8080", "127.0.0.1:", "127.0.0.1:65536", ":80", "host:port"}) {
    const auto run = run_process({kBinary, "serve", "--listen", listen});
    EXPECT_EQ(run.exit_code, 2) << listen;
    EXPECT_NE((run.out + run.err).find("--listen"), std::string::npos) << run.out << run.err;
  }
}

TEST(ServeApiOptions, ThePortFileIsRemovedOnStop) {
  TempDir dir;
  Service service(serve_new(dir.path()), dir.path());
  ASSERT_FALSE(service.address.empty());
  EXPECT_EQ(service.address.rfind("127.0.0.1:", 0), 0u) << service.address;
  EXPECT_GT(port_of(service.address), 0) << service.address;
  const auto ready = wait_for_log(service.child, "ready");
  ASSERT_FALSE(ready.is_null());
  EXPECT_EQ(ready["listen"], service.address);
  EXPECT_EQ(service.child.stop(SIGTERM), 0);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "http.port"));
}

// The same API with the event log on Kafka (the dev broker).
TEST(ServeApiOnKafka, ReadyzAndMetricsWorkOnKafka) {
  TempDir dir;
  DevBroker broker(dir.path());
  ASSERT_FALSE(broker.servers.empty()) << "no broker";
  auto argv = serve_new(dir.path());
  argv.insert(argv.end(), {"--event-log", "kafka://" + broker.servers});
  Service service(argv, dir.path());
  ASSERT_FALSE(service.address.empty()) << "no port file";
  const auto ready = wait_until_caught_up(service);
  EXPECT_EQ(ready.status, 200) << ready.body;
  const auto metrics = http_get(service.url("/metrics"));
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(sample_of(metrics.body,
                      R"(clientele_projector_lag_events{model="customer_profile",partition="11"})"),
            0)
      << metrics.body;
  EXPECT_EQ(service.child.stop(SIGTERM), 0);
  EXPECT_EQ(broker.child.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace clientele::testing
