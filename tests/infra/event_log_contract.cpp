#include "tests/infra/event_log_contract.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "tests/support/numbered.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::testing {
namespace {

using namespace std::chrono_literals;
using events::EncodedEvent;
using events::Offset;
using events::Partition;
using events::Record;

EncodedEvent event(const std::string& payload) {
  return EncodedEvent{"id-" + payload, "test.appended", 1, payload};
}

// Every record of `partition` from `from` to the end.
std::vector<Record> read_all(events::EventLog& log, Partition partition, Offset from = {}) {
  std::vector<Record> out;
  auto cursor = log.open_cursor(partition, from);
  EXPECT_TRUE(cursor.ok()) << (cursor.ok() ? "" : cursor.error().message);
  if (!cursor) return out;
  for (;;) {
    auto batch = (*cursor)->next(100, 0ms);
    EXPECT_TRUE(batch.ok()) << (batch.ok() ? "" : batch.error().message);
    if (!batch || batch->empty()) return out;
    out.insert(out.end(), batch->begin(), batch->end());
  }
}

// Kafka's own test vectors for its Java client's murmur2 (Utils.murmur2).
struct Murmur2Vector {
  std::string key;
  std::int32_t hash;
};
const std::vector<Murmur2Vector> kMurmur2Vectors{
    {"21", -973932308},
    {"foobar", -790332482},
    {"a-little-bit-long-string", -985981536},
    {"a-little-bit-longer-string", -1486304829},
    {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
    {"abc", 479470107},
};

}  // namespace

TEST_P(EventLogContract, PartitionOfAKeyIsKafkaJavaClientMurmur2) {
  TempDir dir;
  for (const std::int32_t partitions : {12, 7, 1}) {
    TempDir per_count;
    auto log = GetParam().open(per_count.path(), partitions);
    for (const auto& v : kMurmur2Vectors) {
      const auto expected =
          static_cast<std::int32_t>((static_cast<std::uint32_t>(v.hash) & 0x7fffffffu) %
                                    static_cast<std::uint32_t>(partitions));
      EXPECT_EQ(log->partition_for(v.key).value, expected) << v.key << " over " << partitions;
    }
  }
}

TEST_P(EventLogContract, OffsetsStartAtZeroAndAreDensePerPartition) {
  TempDir dir;
  auto log = GetParam().open(dir.path(), 4);
  std::map<std::int32_t, std::int64_t> expected_next;
  for (int i = 0; i < 40; ++i) {
    const std::string key = "CUST_" + std::to_string(1000 + i % 10);
    const auto e = event(numbered("e", i));
    auto positions = log->append(key, std::span(&e, 1));
    ASSERT_TRUE(positions.ok()) << positions.error().message;
    ASSERT_EQ(positions->size(), 1u);
    const auto p = log->partition_for(key);
    EXPECT_EQ(positions->front().partition, p);
    EXPECT_EQ(positions->front().offset.value, expected_next[p.value]++);
  }
  for (const auto& [partition, next] : expected_next) {
    EXPECT_EQ(log->end_offset(Partition{partition})->value, next);
    const auto records = read_all(*log, Partition{partition});
    ASSERT_EQ(static_cast<std::int64_t>(records.size()), next);
    for (std::size_t i = 0; i < records.size(); ++i)
      EXPECT_EQ(records[i].position.offset.value, static_cast<std::int64_t>(i));
  }
}

TEST_P(EventLogContract, OneAppendOfSeveralEventsIsContiguousAndInOrder) {
  TempDir dir;
  auto log = GetParam().open(dir.path(), 3);
  const std::vector<EncodedEvent> first{event("a1"), event("a2")};
  const std::vector<EncodedEvent> second{event("b1"), event("b2"), event("b3")};
  ASSERT_TRUE(log->append("CUST_00000001", first).ok());
  auto positions = log->append("CUST_00000001", second);
  ASSERT_TRUE(positions.ok());
  ASSERT_EQ(positions->size(), 3u);
  EXPECT_EQ(positions->at(0).offset.value, 2);
  EXPECT_EQ(positions->at(1).offset.value, 3);
  EXPECT_EQ(positions->at(2).offset.value, 4);
  const auto records = read_all(*log, log->partition_for("CUST_00000001"));
  ASSERT_EQ(records.size(), 5u);
  const std::vector<std::string> expected{"a1", "a2", "b1", "b2", "b3"};
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].payload, expected[i]);
    EXPECT_EQ(records[i].key, "CUST_00000001");
  }
}

TEST_P(EventLogContract, AnEmptyAppendIsRejected) {
  TempDir dir;
  auto log = GetParam().open(dir.path(), 2);
  const auto result = log->append("CUST_00000001", {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, errc::invalid);
}

TEST_P(EventLogContract, ConcurrentAppendersKeepEachKeysOrderAndEachCommandWhole) {
  TempDir dir;
  auto log = GetParam().open(dir.path(), 5);
  constexpr int kThreads = 16;
  constexpr int kCommands = 60;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string key = "CUST_" + std::to_string(5000 + t);
      for (int c = 0; c < kCommands; ++c) {
        const std::string cmd = std::to_string(t) + "/" + std::to_string(c);
        const std::vector<EncodedEvent> batch{event(cmd + "/0"), event(cmd + "/1"),
                                              event(cmd + "/2")};
        if (!log->append(key, batch).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(failures.load(), 0);

  std::map<std::string, int> next_command;  // per key: the command expected next
  std::size_t total = 0;
  for (std::int32_t p = 0; p < log->partition_count(); ++p) {
    const auto records = read_all(*log, Partition{p});
    total += records.size();
    ASSERT_EQ(records.size() % 3, 0u);
    for (std::size_t i = 0; i < records.size(); i += 3) {
      const auto& key = records[i].key;
      const int t = std::stoi(key.substr(5)) - 5000;
      const std::string cmd = std::to_string(t) + "/" + std::to_string(next_command[key]++);
      for (std::size_t k = 0; k < 3; ++k) {
        EXPECT_EQ(records[i + k].payload, cmd + "/" + std::to_string(k)) << "partition " << p;
        EXPECT_EQ(records[i + k].key, key);
      }
    }
  }
  EXPECT_EQ(total, static_cast<std::size_t>(kThreads * kCommands * 3));
}

TEST_P(EventLogContract, ACursorStartsAtTheOffsetItIsGiven) {
  TempDir dir;
  auto log = GetParam().open(dir.path(), 1);
  for (int i = 0; i < 10; ++i) {
    const auto e = event(std::to_string(i));
    ASSERT_TRUE(log->append("CUST_00000002", std::span(&e, 1)).ok());
  }
  const auto records = read_all(*log, Partition{0}, Offset{7});
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].payload, "7");
  EXPECT_EQ(records[2].position.offset.value, 9);
}

TEST_P(EventLogContract, ACursorReturnsAtMostTheRequestedNumber) {
  TempDir dir;
  auto log = GetParam().open(dir.path(), 1);
  const std::vector<EncodedEvent> batch(6, event("x"));
  ASSERT_TRUE(log->append("CUST_00000002", batch).ok());
  auto cursor = log->open_cursor(Partition{0}, Offset{0});
  ASSERT_TRUE(cursor.ok()) << cursor.error().message;
  auto first = (*cursor)->next(4, 0ms);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->size(), 4u);
  EXPECT_EQ((*cursor)->position().value, 4);
  auto rest = (*cursor)->next(4, 0ms);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->size(), 2u);
}

TEST_P(EventLogContract, ACursorReturnsEverythingAlreadyInTheLogUpToTheRequestedNumber) {
  TempDir dir;
  auto log = GetParam().open(dir.path(), 1);
  constexpr int kCommands = 40;
  for (int i = 0; i < kCommands; ++i) {
    const auto e = event(std::to_string(i));
    ASSERT_TRUE(log->append("CUST_00000002", std::span(&e, 1)).ok());
  }
  auto cursor = log->open_cursor(Partition{0}, Offset{5});
  ASSERT_TRUE(cursor.ok()) << cursor.error().message;
  auto records = (*cursor)->next(100, 0ms);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), static_cast<std::size_t>(kCommands - 5));
  EXPECT_EQ(records->back().payload, std::to_string(kCommands - 1));
}

TEST_P(EventLogContract, ATailingCursorWakesOnAppend) {
  TempDir dir;
  auto log = GetParam().open(dir.path(), 2);
  const std::string key = "CUST_00000003";
  auto cursor = log->open_cursor(log->partition_for(key), Offset{0});
  ASSERT_TRUE(cursor.ok()) << cursor.error().message;
  std::thread appender([&] {
    std::this_thread::sleep_for(100ms);
    const auto e = event("late");
    EXPECT_TRUE(log->append(key, std::span(&e, 1)).ok());
  });
  // The wait is long; a cursor that only polled at its end would return after it.
  constexpr auto kWait = 20s;
  const auto start = std::chrono::steady_clock::now();
  auto records = (*cursor)->next(10, kWait);
  const auto waited = std::chrono::steady_clock::now() - start;
  appender.join();
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ(records->front().payload, "late");
  EXPECT_LT(waited, kWait / 2) << "the cursor was not woken by the append";
}

TEST_P(EventLogContract, ACursorWithNothingNewReturnsEmptyAfterItsWait) {
  TempDir dir;
  auto log = GetParam().open(dir.path(), 2);
  auto cursor = log->open_cursor(Partition{1}, Offset{0});
  ASSERT_TRUE(cursor.ok()) << cursor.error().message;
  auto records = (*cursor)->next(10, 50ms);
  ASSERT_TRUE(records.ok());
  EXPECT_TRUE(records->empty());
  EXPECT_EQ((*cursor)->position().value, 0);
}

TEST_P(EventLogContract, UnknownPartitionsAreRejected) {
  TempDir dir;
  auto log = GetParam().open(dir.path(), 3);
  EXPECT_EQ(log->open_cursor(Partition{3}, Offset{0}).error().code, errc::invalid);
  EXPECT_EQ(log->open_cursor(Partition{-1}, Offset{0}).error().code, errc::invalid);
  EXPECT_EQ(log->end_offset(Partition{3}).error().code, errc::invalid);
}

TEST_P(EventLogContract, AcknowledgedEventsSurviveReopening) {
  TempDir dir;
  std::vector<events::Position> acknowledged;
  {
    auto log = GetParam().open(dir.path(), 4);
    for (int i = 0; i < 20; ++i) {
      const auto e = event("kept-" + std::to_string(i));
      auto positions = log->append("CUST_" + std::to_string(i % 6), std::span(&e, 1));
      ASSERT_TRUE(positions.ok());
      acknowledged.push_back(positions->front());
    }
  }
  auto log = GetParam().open(dir.path(), 4);
  for (std::size_t i = 0; i < acknowledged.size(); ++i) {
    const auto records = read_all(*log, acknowledged[i].partition, acknowledged[i].offset);
    ASSERT_FALSE(records.empty());
    EXPECT_EQ(records.front().payload, "kept-" + std::to_string(i));
  }
  // Appends continue after the last offset.
  const auto e = event("after");
  auto next = log->append("CUST_0", std::span(&e, 1));
  ASSERT_TRUE(next.ok());
  std::int64_t before = 0;
  for (const auto& p : acknowledged)
    if (p.partition == next->front().partition) before = std::max(before, p.offset.value + 1);
  EXPECT_EQ(next->front().offset.value, before);
}

}  // namespace clientele::testing
