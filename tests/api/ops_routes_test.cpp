// /healthz, /readyz and /metrics over a real log, store and projector in this process: readiness
// follows the projector's lag and its measurement (ops_routes.hpp, lag_monitor.hpp).

#include "api/ops_routes.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "api/dispatcher.hpp"
#include "tests/projections/read_model_fixture.hpp"

namespace clientele::api {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using projections::kBob;
using projections::registration;

// The ops routes over a projector of the customer profiles (not started: the test folds), with
// readiness bounded at `max_lag` and the lag measured every 10 ms.
class OpsRoutesTest : public projections::ReadModelTest {
 protected:
  void SetUp() override {
    ReadModelTest::SetUp();
    live_ = projector({&profiles_});
    lag_ = std::make_unique<LagMonitor>(*log_, *live_, *store_, 10ms);
  }

  void route(std::int64_t max_lag) {
    Router router;
    ASSERT_TRUE(add_ops_routes(router, {*lag_, *live_, metrics_, commands_, passwords_},
                               {.ready_max_lag = max_lag})
                    .ok());
    dispatcher_ = std::make_unique<Dispatcher>(std::move(router), DispatchOptions{});
  }

  Response get(std::string path) const {
    Request request;
    request.path = std::move(path);
    return dispatcher_->dispatch(std::move(request)).response;
  }

  // Asks /readyz until it reports a lag of `lag` measured, for up to 10 s; returns the last
  // answer.
  Response readyz_with_lag(std::int64_t lag) const {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    auto answer = get("/readyz");
    while (std::chrono::steady_clock::now() < deadline) {
      const auto data = json::parse(answer.body)["data"];
      if (data["eventLog"] == "reachable" && data["lag"] == lag) break;
      std::this_thread::sleep_for(5ms);
      answer = get("/readyz");
    }
    return answer;
  }

  // Two events in Bob's partition.
  void bob_registers_and_logs_in() {
    writer_->append(kBob, customer::Event{registration(kBob, "bob")});
    writer_->append(kBob, customer::Event{customer::LoggedIn{}});
  }

  std::unique_ptr<projections::Projector> live_;
  std::unique_ptr<LagMonitor> lag_;
  HttpMetrics metrics_;
  commands::CommandStats commands_;
  commands::PasswordHasher passwords_ =
      commands::PasswordHasher::create(commands::PasswordHashing::for_tests()).value();
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(OpsRoutesTest, HealthzIsAlwaysAlive) {
  route(0);
  EXPECT_EQ(get("/healthz").status, 200);
}

TEST_F(OpsRoutesTest, ReadyzIsNotReadyBeforeTheLagIsMeasured) {
  route(0);
  const auto answer = get("/readyz");
  EXPECT_EQ(answer.status, 503);
  const auto body = json::parse(answer.body);
  EXPECT_EQ(body["success"], false);
  EXPECT_EQ(body["message"], "not ready: the lag of the read models has not been measured yet");
}

TEST_F(OpsRoutesTest, ReadyzFailsWhileALagIsOverTheBoundAndPassesOnceFolded) {
  route(0);
  bob_registers_and_logs_in();
  lag_->start();
  const auto behind = readyz_with_lag(2);
  EXPECT_EQ(behind.status, 503);
  auto body = json::parse(behind.body);
  EXPECT_EQ(body["data"]["lag"], 2) << body.dump();
  EXPECT_EQ(body["data"]["eventLog"], "reachable");
  EXPECT_EQ(body["message"],
            "not ready: the read models are 2 events behind the log (the bound is 0)");
  ASSERT_TRUE(live_->catch_up().ok());
  const auto ready = readyz_with_lag(0);
  EXPECT_EQ(ready.status, 200);
  body = json::parse(ready.body);
  EXPECT_EQ(body["message"], "ready") << body.dump();
  EXPECT_EQ(body["data"]["lag"], 0);
  EXPECT_EQ(body["data"]["reasons"], json::array());
}

TEST_F(OpsRoutesTest, ALagWithinTheBoundIsReady) {
  route(2);
  bob_registers_and_logs_in();
  lag_->start();
  EXPECT_EQ(readyz_with_lag(2).status, 200);
}

TEST_F(OpsRoutesTest, MetricsShowTheLagOfEachModelPerPartitionAndTheLogsEnd) {
  route(0);
  bob_registers_and_logs_in();
  lag_->start();
  ASSERT_EQ(readyz_with_lag(2).status, 503);
  const auto metrics = get("/metrics");
  EXPECT_EQ(metrics.content_type, kPrometheusContentType);
  const auto bob = log_->partition_for(kBob.str()).value;
  const auto series = "clientele_projector_lag_events{model=\"customer_profile\",partition=\"" +
                      std::to_string(bob) + "\"} 2\n";
  EXPECT_NE(metrics.body.find(series), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("clientele_event_log_end_offset{partition=\"" + std::to_string(bob) +
                              "\"} 2\n"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("clientele_projector_events_folded_total 0\n"), std::string::npos);
  EXPECT_NE(metrics.body.find("# TYPE clientele_projector_lag_events gauge\n"), std::string::npos);
  EXPECT_EQ(metrics.body.find("bob"), std::string::npos) << "personal data in a label";
  EXPECT_EQ(metrics.body.find(kBob.str()), std::string::npos) << "a customer id in a label";
}

TEST_F(OpsRoutesTest, MetricsCountCommandsAppendsErasuresAndPasswordHashes) {
  route(0);
  commands_.decided = 5;
  commands_.refused = 2;
  commands_.failed = 1;
  commands_.appended = 7;
  commands_.erasures = 1;
  const auto metrics = get("/metrics").body;
  for (const char* sample :
       {"clientele_commands_total{result=\"decided\"} 5\n",
        "clientele_commands_total{result=\"refused\"} 2\n",
        "clientele_commands_total{result=\"failed\"} 1\n", "clientele_events_appended_total 7\n",
        "clientele_erasures_total 1\n", "# TYPE clientele_erasures_total counter\n",
        "# TYPE clientele_password_hashes_running gauge\n", "clientele_password_hashes_running 0\n",
        "# TYPE clientele_password_hashes_waiting gauge\n",
        "clientele_password_hashes_waiting 0\n"}) {
    EXPECT_NE(metrics.find(sample), std::string::npos) << sample << metrics;
  }
}

}  // namespace
}  // namespace clientele::api
