// Idempotency-Key (api/idempotency.hpp) when the event log fails: the server's whole route table
// over a real embedded log whose appends are made to fail (tests/support/faulty_log.hpp). An
// answer whose outcome is unknown is 503 naming the key to retry with, and is not kept, so the
// retry runs the command; the retry's answer is then kept and replayed. A placement's retry places
// under the id its first attempt was given, or answers the order that attempt placed after all.
// And the purge of answers kept longer than they are replayed, over the real write-side store.

#include "api/idempotency.hpp"

#include <gtest/gtest.h>

#include "api/dispatcher.hpp"
#include "api/routes.hpp"
#include "infra/rocksdb_write_model.hpp"
#include "tests/projections/read_model_fixture.hpp"
#include "tests/support/api_stack.hpp"
#include "tests/support/faulty_log.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::api {
namespace {

using nlohmann::json;
using testing::FaultyLog;

class IdempotencyOnFailure : public projections::ReadModelTest {
 protected:
  void SetUp() override {
    ReadModelTest::SetUp();
    live_ = projector({});
    faulty_ = std::make_unique<FaultyLog>(*log_);
    lag_ = std::make_unique<LagMonitor>(*log_, *live_, *store_, std::chrono::seconds(1));
    stack_ = std::make_unique<testing::ApiStack>(*faulty_, *store_, *live_, dir_.path() / "api");
    auto router = stack_->route_table(*lag_, metrics_);
    ASSERT_TRUE(router.ok()) << router.error().message;
    // Every token names Ada, the customer register_ada() registers (ApiStack's only id).
    dispatcher_ = std::make_unique<Dispatcher>(
        std::move(*router), DispatchOptions{.authenticate = [](std::string_view) -> Result<Caller> {
          return Caller{"CUST_00000001", Role::Customer};
        }});
  }

  // POST `path` with `body` and the idempotency key `key`, with a token (which names Ada).
  Response post(const std::string& path, const json& body, const std::string& key) const {
    Request request;
    request.method = Method::Post;
    request.path = path;
    request.client_address = "127.0.0.1";
    request.headers.add("Authorization", "Bearer any");
    request.headers.add("Content-Type", "application/json");
    request.headers.add("Idempotency-Key", key);
    request.body_text = body.dump();
    return dispatcher_->dispatch(std::move(request)).response;
  }

  // POST /api/v1/auth/register of Ada with the idempotency key `key`.
  Response register_ada(const std::string& key) const {
    return post("/api/v1/auth/register",
                {{"email", "ada@example.com"},
                 {"password", "analytical1engine"},
                 {"firstName", "Ada"},
                 {"lastName", "Lovelace"}},
                key);
  }

  // POST /api/v1/orders of one line, as Ada, with the idempotency key `key`.
  Response place_order(const std::string& key) const {
    const json line{{"productId", "SKU-1"},
                    {"productName", "Difference Engine"},
                    {"quantity", 1},
                    {"unitPrice", 1250}};
    return post("/api/v1/orders",
                {{"items", {line}},
                 {"currency", "GBP"},
                 {"deliveryAddress",
                  {{"recipientName", "Ada Lovelace"},
                   {"addressLine1", "1 Analytical Way"},
                   {"city", "London"},
                   {"country", "GB"}}}},
                key);
  }

  // The events in the whole log.
  std::int64_t events_in_log() const {
    std::int64_t events = 0;
    for (std::int32_t p = 0; p < log_->partition_count(); ++p) {
      events += log_->end_offset(events::Partition{p}).value().value;
    }
    return events;
  }

  std::unique_ptr<projections::Projector> live_;
  std::unique_ptr<FaultyLog> faulty_;
  std::unique_ptr<LagMonitor> lag_;
  HttpMetrics metrics_;
  std::unique_ptr<testing::ApiStack> stack_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

// The value of header `name` in `response`, or "".
std::string header(const Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

TEST_F(IdempotencyOnFailure, AnUnknownOutcomeIs503NamingTheKeyAndItsRetryRunsTheCommand) {
  faulty_->inject(FaultyLog::Fault::down);
  const auto failed = register_ada("retry-me-1");
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_EQ(header(failed, "Idempotency-Key"), "retry-me-1");
  EXPECT_EQ(json::parse(failed.body)["success"], false);
  EXPECT_EQ(events_in_log(), 0);

  faulty_->inject(FaultyLog::Fault::none);
  const auto retried = register_ada("retry-me-1");
  ASSERT_EQ(retried.status, 201) << retried.body;
  EXPECT_EQ(header(retried, "Idempotent-Replayed"), "");

  const auto replayed = register_ada("retry-me-1");
  EXPECT_EQ(replayed.status, 201) << replayed.body;
  EXPECT_EQ(header(replayed, "Idempotent-Replayed"), "true");
  EXPECT_EQ(replayed.body, retried.body);
  EXPECT_EQ(events_in_log(), 1) << "the replay appended nothing";
}

TEST_F(IdempotencyOnFailure, APlacementWhoseOutcomeWasUnknownIsPlacedOnceUnderTheSameId) {
  ASSERT_EQ(register_ada("ada").status, 201);
  const auto registered = events_in_log();

  faulty_->inject(FaultyLog::Fault::acknowledgement_lost);
  const auto lost = place_order("order-1");
  EXPECT_EQ(lost.status, 503) << lost.body;
  EXPECT_EQ(events_in_log(), registered + 1) << "the order was placed, but nobody was told";

  faulty_->inject(FaultyLog::Fault::none);
  const auto retried = place_order("order-1");
  ASSERT_EQ(retried.status, 201) << retried.body;
  EXPECT_TRUE(header(retried, "Location").ends_with("-000001")) << "the order placed";
  EXPECT_EQ(events_in_log(), registered + 1) << "the retry placed nothing more";

  const auto another = place_order("order-2");
  ASSERT_EQ(another.status, 201) << another.body;
  EXPECT_NE(header(another, "Location"), header(retried, "Location"));
  EXPECT_EQ(events_in_log(), registered + 2);
}

TEST_F(IdempotencyOnFailure, APlacementThatFailedBeforeAnythingWasWrittenIsPlacedByItsRetry) {
  ASSERT_EQ(register_ada("ada").status, 201);
  const auto registered = events_in_log();

  faulty_->inject(FaultyLog::Fault::down);
  EXPECT_EQ(place_order("order-1").status, 503);
  EXPECT_EQ(events_in_log(), registered);

  faulty_->inject(FaultyLog::Fault::none);
  const auto retried = place_order("order-1");
  ASSERT_EQ(retried.status, 201) << retried.body;
  EXPECT_TRUE(header(retried, "Location").ends_with("-000001")) << "the id set aside is used";
  EXPECT_EQ(events_in_log(), registered + 1);
  EXPECT_EQ(header(place_order("order-1"), "Idempotent-Replayed"), "true");
  EXPECT_EQ(events_in_log(), registered + 1);
}

// A POST with the idempotency key `key`, for Idempotency::run.
Request keyed_post(const std::string& key) {
  Request request;
  request.method = Method::Post;
  request.path = "/api/v1/things";
  request.body_text = "{}";
  request.headers.add("Idempotency-Key", key);
  return request;
}

TEST(IdempotencyPurge, DeletesOnlyTheAnswersKeptLongerThanTheyAreReplayed) {
  testing::TempDir dir;
  auto store = std::move(infra::RocksDbWriteModel::open(dir.path() / "commands").value());
  Timestamp now{std::chrono::hours(24 * 365 * 50)};
  Idempotency idempotency(
      *store, events::SecretKey::random(), [&] { return now; }, std::chrono::hours(24));
  int runs = 0;
  const auto route = [&] {
    ++runs;
    return Response{.status = 201, .body = std::to_string(runs)};
  };
  EXPECT_EQ(idempotency.run(keyed_post("old"), route).status, 201);
  now += std::chrono::hours(20);
  EXPECT_EQ(idempotency.run(keyed_post("recent"), route).status, 201);
  EXPECT_EQ(idempotency.purge_expired().value(), 0U) << "nothing is older than 24 h yet";

  now += std::chrono::hours(5);  // "old" was kept 25 h ago, "recent" 5 h ago
  EXPECT_EQ(idempotency.purge_expired().value(), 1U);
  EXPECT_EQ(idempotency.purge_expired().value(), 0U);
  EXPECT_EQ(idempotency.run(keyed_post("recent"), route).body, "2") << "still replayed";
  EXPECT_EQ(idempotency.run(keyed_post("old"), route).body, "3") << "runs again";
  EXPECT_EQ(runs, 3);
}

}  // namespace
}  // namespace clientele::api
