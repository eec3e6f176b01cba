// Blue-green rebuilds: a new build folds beside the live one and takes over atomically, while
// queries keep reading and events keep arriving.

#include "projections/rebuild.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <charconv>
#include <functional>
#include <thread>

#include "tests/projections/read_model_fixture.hpp"

namespace clientele::projections {
namespace {

using namespace std::chrono_literals;

CustomerId customer_number(int n) {
  return CustomerId("CUST_" + std::to_string(10'000'000 + n));
}

// Counts the events of each customer under "n/<customer id>"; its version is chosen.
class EventCounter final : public ReadModel {
 public:
  explicit EventCounter(int version) : version_(version) {}
  std::string_view name() const override { return "event_counter"; }
  int version() const override { return version_; }
  Result<void> evolve(const Folded& event, Rows& rows) const override {
    const auto key = "n/" + event.envelope.customer_id.str();
    auto stored = rows.get(key);
    if (!stored) return stored.error();
    int n = 0;
    if (*stored) std::from_chars((*stored)->data(), (*stored)->data() + (*stored)->size(), n);
    rows.put(key, std::to_string(n + version_));  // version 2 counts double
    return success();
  }

 private:
  int version_;  // the model's version
};

class RebuildTest : public ReadModelTest {
 protected:
  // What a query sees of the profiles: how many, and their logins in all.
  struct Seen {
    std::size_t profiles = 0;
    std::int64_t logins = 0;
    int build = -1;  // of the namespace read
  };

  Seen query() {
    Seen seen;
    const auto snapshot = store_->snapshot();
    auto ns = live_namespace(*snapshot, profiles_.name());
    EXPECT_TRUE(ns.ok() && ns->has_value());
    if (!ns.ok() || !*ns) return seen;
    seen.build = (*ns)->build;
    auto rows = scan_docs(*snapshot, **ns, KeyRange::prefixed("c/"));
    EXPECT_TRUE(rows.ok());
    if (!rows.ok()) return seen;
    seen.profiles = rows->size();
    for (const auto& [key, doc] : *rows) seen.logins += doc["loginCount"].get<std::int64_t>();
    return seen;
  }

  // Whether `condition` holds within a while.
  static bool eventually(const std::function<bool()>& condition) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!condition()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

  // Whether `live` folds everything the log holds now, within a while.
  bool folded_everything(const Projector& live) {
    for (int p = 0; p < kPartitions; ++p) {
      const auto end = log_->end_offset(events::Partition{p}).value();
      if (end.value > 0 && !live.wait_for({events::Partition{p}, {end.value - 1}}, 20s))
        return false;
    }
    return true;
  }

  std::int64_t counted(const Namespace& ns, const CustomerId& customer) {
    auto stored = store_->snapshot()->get(ns, "n/" + customer.str());
    EXPECT_TRUE(stored.ok());
    return stored.ok() && *stored ? std::stoll(**stored) : -1;
  }
};

TEST_F(RebuildTest, QueriesDuringARebuildAlwaysSeeOneWholeBuild) {
  constexpr int kCustomers = 300;
  for (int i = 0; i < kCustomers; ++i)
    writer_->append(customer_number(i), registration(customer_number(i), std::to_string(i)));
  auto live = projector({});
  ASSERT_TRUE(bind_live(*live, *store_, {&profiles_}).value().empty());
  ASSERT_TRUE(live->start().ok());
  ASSERT_TRUE(folded_everything(*live));

  std::atomic<bool> done{false};
  std::atomic<int> logins{0}, queries{0}, whole{0}, forward{0};
  std::array<std::atomic<int>, 2> on_build{};  // queries that read build 0, build 1
  std::thread writer([&] {
    for (int i = 0; !done; i = (i + 7) % kCustomers) {
      writer_->append(customer_number(i), customer::LoggedIn{});
      ++logins;
    }
  });
  std::thread reader([&] {
    std::int64_t last = 0;
    while (!done) {
      const auto seen = query();
      ++queries;
      if (seen.build == 0 || seen.build == 1) ++on_build[static_cast<std::size_t>(seen.build)];
      whole += seen.profiles == kCustomers ? 1 : 0;
      forward += seen.logins >= last ? 1 : 0;
      last = seen.logins;
    }
  });
  // Queries run before, during and after the rebuild, while events keep coming.
  EXPECT_TRUE(eventually([&] { return on_build[0] >= 3; }));
  auto rebuilt = rebuild(profiles_, *live, *log_, *keys_, *store_);
  EXPECT_TRUE(eventually([&] { return on_build[1] >= 3; }));
  done = true;
  writer.join();
  reader.join();

  ASSERT_TRUE(rebuilt.ok()) << rebuilt.error().message;
  EXPECT_EQ(*rebuilt, (Namespace{"customer_profile", 1, 1}));
  EXPECT_EQ(whole.load(), queries.load()) << "a query saw a model missing profiles";
  EXPECT_EQ(forward.load(), queries.load()) << "a query saw logins go backwards";
  ASSERT_TRUE(folded_everything(*live));
  EXPECT_EQ(query().logins, logins.load()) << "the live projector lost events at the switch";
  const auto namespaces = store_->namespaces();
  EXPECT_EQ(std::count(namespaces.begin(), namespaces.end(), profiles_.ns()), 0)
      << "the old build is left";
}

TEST_F(RebuildTest, AChangedVersionIsRebuiltWhileTheOldOneKeepsAnswering) {
  writer_->append(kAda, registration(kAda, "ada"));
  writer_->append(kAda, customer::LoggedIn{});
  const EventCounter v1(1), v2(2);
  {
    auto first = projector({});
    ASSERT_TRUE(bind_live(*first, *store_, {&v1}).value().empty());
    ASSERT_TRUE(first->catch_up().ok());
  }
  EXPECT_EQ(counted(v1.ns(), kAda), 2);

  auto live = projector({});
  const auto outdated = bind_live(*live, *store_, {&v2});
  ASSERT_TRUE(outdated.ok());
  ASSERT_EQ(outdated->size(), 1u);
  EXPECT_EQ(live_namespace(*store_->snapshot(), "event_counter").value(), v1.ns())
      << "the old version answers until the new one is built";
  ASSERT_TRUE(live->start().ok());
  auto rebuilt = rebuild(v2, *live, *log_, *keys_, *store_);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.error().message;
  EXPECT_EQ(*rebuilt, v2.ns());
  EXPECT_EQ(live_namespace(*store_->snapshot(), "event_counter").value(), v2.ns());
  EXPECT_EQ(counted(v2.ns(), kAda), 4);
  const auto later = writer_->append(kAda, customer::LoggedIn{});
  ASSERT_TRUE(live->wait_for(later, 20s));
  EXPECT_EQ(counted(v2.ns(), kAda), 6) << "the live projector folds into the new version";
  const auto namespaces = store_->namespaces();
  EXPECT_EQ(std::count(namespaces.begin(), namespaces.end(), v1.ns()), 0);
}

}  // namespace
}  // namespace clientele::projections
