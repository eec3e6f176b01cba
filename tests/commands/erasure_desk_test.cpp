// The erasure desk (commands/erasure_desk.hpp) over a real write-side store: a request is checked
// before it is recorded, carried out once, retried while a step is unavailable (without erasing
// twice), ended as failed on any other error, and resumed by the next desk after a stop.

#include "commands/erasure_desk.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "infra/clock.hpp"
#include "infra/rocksdb_write_model.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::commands {
namespace {

using namespace std::chrono_literals;

const ErasureRequest kAda{CustomerId("CUST_0000ada1"), "gdpr-art17", "GDPR Art. 17(1)(a)",
                          "ADM_00000001"};

// What the desk's steps do, programmable, and how often they were called.
struct Steps {
  std::atomic<int> erased{0};
  std::atomic<int> settled{0};
  std::atomic<int> erase_failures{0};   // the first so many erase calls fail with `erase_error`
  std::atomic<int> settle_failures{0};  // the first so many settle calls fail (unavailable)
  errc erase_error = errc::unavailable;
  bool refuse = false;  // the check refuses every request

  ErasureReceipt receipt(const ErasureRequest& request) const {
    ErasureReceipt r;
    r.customer_id = request.customer_id;
    r.erased_at = infra::utc_now();
    r.position = {events::Partition{3}, events::Offset{42}};
    r.key_destroyed = true;
    r.sealed_events_unreadable = 7;
    r.reason_code = request.reason_code;
    r.legal_basis = request.legal_basis;
    r.requested_by = request.requested_by;
    return r;
  }
};

class ErasureDeskTest : public ::testing::Test {
 protected:
  ErasureDeskTest() : store_(std::move(infra::RocksDbWriteModel::open(dir_.path()).value())) {}

  std::unique_ptr<ErasureDesk> desk(Steps& steps) {
    int next = 0;
    return std::make_unique<ErasureDesk>(
        *store_,
        [&steps](const ErasureRequest&) -> Result<void> {
          if (steps.refuse) return make_error(errc::not_found, "", "customer not found");
          return success();
        },
        [&steps](const ErasureRequest& request) -> Result<ErasureReceipt> {
          ++steps.erased;
          if (steps.erase_failures-- > 0) return make_error(steps.erase_error, "", "erase failed");
          return steps.receipt(request);
        },
        [&steps](const ErasureReceipt&) -> Result<void> {
          ++steps.settled;
          if (steps.settle_failures-- > 0) return make_error(errc::unavailable, "", "not yet");
          return success();
        },
        [next]() mutable { return "ERA_" + std::to_string(++next); }, infra::utc_now,
        ErasureDeskOptions{.retry_after = 10ms});
  }

  // The erasure `id` once it is completed or failed (at most 10 s).
  ErasureRecord finished(ErasureDesk& desk, const std::string& id) {
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < until) {
      auto found = desk.find(id);
      EXPECT_TRUE(found.ok());
      if (found.ok() && *found &&
          ((*found)->status == ErasureStatus::completed ||
           (*found)->status == ErasureStatus::failed)) {
        return **found;
      }
      std::this_thread::sleep_for(5ms);
    }
    ADD_FAILURE() << "erasure " << id << " did not finish";
    return {};
  }

  std::size_t recorded() {
    std::size_t n = 0;
    EXPECT_TRUE(store_->scan(Lookup::erasure, [&](auto, auto) { ++n; }).ok());
    return n;
  }

  testing::TempDir dir_;
  std::unique_ptr<infra::RocksDbWriteModel> store_;
};

TEST_F(ErasureDeskTest, ARequestIsRecordedThenCarriedOutOnceWithItsReceipt) {
  Steps steps;
  auto d = desk(steps);
  ASSERT_TRUE(d->start().ok());
  auto asked = d->submit(kAda);
  ASSERT_TRUE(asked.ok()) << asked.error().message;
  EXPECT_EQ(asked->id, "ERA_1");
  EXPECT_EQ(asked->status, ErasureStatus::pending);

  const auto done = finished(*d, asked->id);
  EXPECT_EQ(done.status, ErasureStatus::completed);
  ASSERT_TRUE(done.receipt.has_value());
  EXPECT_EQ(done.receipt->sealed_events_unreadable, 7u);
  EXPECT_EQ(done.receipt->position.offset.value, 42);
  EXPECT_EQ(done.request.requested_by, "ADM_00000001");
  EXPECT_TRUE(done.completed_at.has_value());
  EXPECT_EQ(steps.erased.load(), 1);
  EXPECT_EQ(steps.settled.load(), 1);

  const auto json = to_json(done);
  EXPECT_EQ(json["status"], "completed");
  EXPECT_EQ(json["position"], "3:42");
  EXPECT_EQ(json["sealedEventsUnreadable"], 7);
  EXPECT_FALSE(json.contains("failure"));
}

TEST_F(ErasureDeskTest, ARefusedRequestIsNotRecorded) {
  Steps steps;
  steps.refuse = true;
  auto d = desk(steps);
  ASSERT_TRUE(d->start().ok());
  auto asked = d->submit(kAda);
  ASSERT_FALSE(asked.ok());
  EXPECT_EQ(asked.error().code, errc::not_found);
  EXPECT_EQ(recorded(), 0u);
  EXPECT_EQ(steps.erased.load(), 0);
}

TEST_F(ErasureDeskTest, UnavailableStepsAreRetriedWithoutErasingTwice) {
  Steps steps;
  steps.erase_failures = 2;
  steps.settle_failures = 3;
  auto d = desk(steps);
  ASSERT_TRUE(d->start().ok());
  const auto done = finished(*d, d->submit(kAda).value().id);
  EXPECT_EQ(done.status, ErasureStatus::completed);
  EXPECT_EQ(steps.erased.load(), 3) << "two failures, then one erasure";
  EXPECT_EQ(steps.settled.load(), 4) << "settling was retried on its own";
}

TEST_F(ErasureDeskTest, AnyOtherErrorEndsTheErasureAsFailed) {
  Steps steps;
  steps.erase_failures = 1;
  steps.erase_error = errc::corrupt;
  auto d = desk(steps);
  ASSERT_TRUE(d->start().ok());
  const auto done = finished(*d, d->submit(kAda).value().id);
  EXPECT_EQ(done.status, ErasureStatus::failed);
  EXPECT_EQ(done.failure, "erase failed");
  EXPECT_FALSE(done.receipt.has_value());
  EXPECT_EQ(to_json(done)["failure"], "erase failed");
  EXPECT_EQ(steps.erased.load(), 1);
}

TEST_F(ErasureDeskTest, TheNextDeskResumesWhatAStopLeftAtTheStepItReached) {
  Steps first;
  first.settle_failures = 1'000'000;  // erased, never settled
  std::string erased_id;
  std::string pending_id;
  {
    auto d = desk(first);
    ASSERT_TRUE(d->start().ok());
    erased_id = d->submit(kAda).value().id;
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (d->find(erased_id).value()->status != ErasureStatus::erased &&
           std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(5ms);
    }
    d->stop();
    // Accepted while no worker runs: recorded, carried out by the next desk.
    pending_id =
        d->submit({CustomerId("CUST_0000b0b1"), "gdpr-art17", "GDPR Art. 17", "ADM_1"}).value().id;
  }
  ASSERT_EQ(first.erased.load(), 1);

  Steps second;
  auto d = desk(second);
  ASSERT_TRUE(d->start().ok());
  EXPECT_EQ(finished(*d, erased_id).status, ErasureStatus::completed);
  EXPECT_EQ(finished(*d, pending_id).status, ErasureStatus::completed);
  EXPECT_EQ(second.erased.load(), 1) << "only the pending one is erased; the other was already";
  EXPECT_EQ(second.settled.load(), 2);
}

}  // namespace
}  // namespace clientele::commands
