// The Kafka log against a Kafka-protocol broker (librdkafka's mock cluster, on loopback, started
// by the test): the contract suite, the faults a real cluster has, and what only the Kafka log
// does (whole commands for readers, the topic's partition count).

#include "infra/kafka_event_log.hpp"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "infra/kafka_mock_cluster.hpp"
#include "tests/infra/event_log_contract.hpp"
#include "tests/support/numbered.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::testing {
namespace {

using namespace std::chrono_literals;
using events::EncodedEvent;
using events::Offset;
using events::Partition;
using events::Record;
using infra::KafkaEventLog;
using infra::KafkaLogOptions;
using infra::KafkaMockCluster;

constexpr int kProduce = 0;  // the Kafka protocol's Produce API key

// One cluster for the contract suite; each log in it has a topic of its own.
KafkaMockCluster& shared_cluster() {
  static const auto cluster = [] {
    auto started = KafkaMockCluster::start({});
    if (!started) throw std::runtime_error(started.error().message);
    return std::move(*started);
  }();
  return *cluster;
}

KafkaLogOptions options_for(const std::string& bootstrap_servers, const std::string& topic,
                            std::int32_t partitions, std::chrono::milliseconds timeout) {
  KafkaLogOptions options;
  options.bootstrap_servers = bootstrap_servers;
  options.topic = topic;
  options.partitions = partitions;
  options.append_timeout = timeout;
  return options;
}

std::unique_ptr<KafkaEventLog> open_log(const KafkaLogOptions& options) {
  auto log = KafkaEventLog::open(options);
  if (!log) throw std::runtime_error(log.error().message);
  return std::move(*log);
}

// Makes `topic` in `cluster` unless it exists (the mock has no CreateTopics).
void ensure_topic(KafkaMockCluster& cluster, const std::string& topic, std::int32_t partitions) {
  if (auto created = cluster.create_topic(topic, partitions);
      !created && created.error().code != errc::conflict) {
    throw std::runtime_error(created.error().message);
  }
}

// Opens a log on `topic` of `cluster`, making the topic first if needed.
std::unique_ptr<KafkaEventLog> open_on(KafkaMockCluster& cluster, const std::string& topic,
                                       std::int32_t partitions,
                                       std::chrono::milliseconds timeout = 10s) {
  ensure_topic(cluster, topic, partitions);
  return open_log(options_for(cluster.bootstrap_servers(), topic, partitions, timeout));
}

// The log "in" `dir`: the topic named after the directory, so reopening finds the same events.
std::unique_ptr<events::EventLog> open_kafka(const std::filesystem::path& dir,
                                             std::int32_t partitions) {
  return open_on(shared_cluster(),
                 "t." + dir.filename().string() + "." + std::to_string(partitions), partitions);
}

INSTANTIATE_TEST_SUITE_P(Kafka, EventLogContract,
                         ::testing::Values(LogUnderTest{"kafka", open_kafka}),
                         [](const auto& info) { return info.param.name; });

EncodedEvent event(const std::string& payload) {
  return EncodedEvent{"id-" + payload, "test.appended", 1, payload};
}

// Every record of every partition of `log`, from the start to the end as of now.
std::vector<Record> read_everything(events::EventLog& log) {
  std::vector<Record> out;
  for (std::int32_t p = 0; p < log.partition_count(); ++p) {
    const auto end = log.end_offset(Partition{p});
    EXPECT_TRUE(end.ok());
    if (!end) return out;
    auto cursor = log.open_cursor(Partition{p}, Offset{0});
    EXPECT_TRUE(cursor.ok());
    if (!cursor) return out;
    while ((*cursor)->position() < *end) {
      auto batch = (*cursor)->next(500, 5s);
      EXPECT_TRUE(batch.ok());
      if (!batch || batch->empty()) break;
      out.insert(out.end(), batch->begin(), batch->end());
    }
  }
  return out;
}

// Appends single events from `threads` threads until `stop`; remembers what was acknowledged.
class Appenders {
 public:
  Appenders(events::EventLog& log, int threads) {
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, &log, t] {
        const std::string key = "CUST_" + std::to_string(7000 + t);
        for (int n = 0; !stop_; ++n) {
          const auto e = event(std::to_string(t) + "/" + std::to_string(n));
          const auto started = std::chrono::steady_clock::now();
          const auto result = log.append(key, std::span(&e, 1));
          const auto took = std::chrono::steady_clock::now() - started;
          std::lock_guard lock(mu_);
          if (result) {
            acknowledged_.insert(e.payload);
          } else {
            failures_.push_back({result.error(), took});
          }
        }
      });
    }
  }
  ~Appenders() { stop(); }

  void stop() {
    stop_ = true;
    for (auto& thread : threads_)
      if (thread.joinable()) thread.join();
  }
  std::size_t acknowledged() {
    std::lock_guard lock(mu_);
    return acknowledged_.size();
  }
  std::size_t failed() {
    std::lock_guard lock(mu_);
    return failures_.size();
  }

  struct Failure {
    Error error;
    std::chrono::steady_clock::duration took;
  };
  std::set<std::string> acknowledged_;  // payloads of the appends that succeeded
  std::vector<Failure> failures_;       // the appends that failed

 private:
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<std::thread> threads_;
};

// Waits up to `limit` for `condition`.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

std::unique_ptr<KafkaMockCluster> start_cluster(int brokers) {
  auto cluster = KafkaMockCluster::start({.brokers = brokers, .port = 0});
  if (!cluster) throw std::runtime_error(cluster.error().message);
  return std::move(*cluster);
}

// A mock cluster driven through librdkafka's mock API itself, for the faults KafkaMockCluster
// does not offer: slow brokers, and errors and delays of one broker's answers.
class RawMockCluster {
 public:
  explicit RawMockCluster(int brokers) {
    char reason[512];
    client_ = rd_kafka_new(RD_KAFKA_PRODUCER, rd_kafka_conf_new(), reason, sizeof reason);
    if (client_ == nullptr) throw std::runtime_error(reason);
    mock_ = rd_kafka_mock_cluster_new(client_, brokers);
    if (mock_ == nullptr) throw std::runtime_error("cannot start the mock cluster");
  }
  ~RawMockCluster() {
    rd_kafka_mock_cluster_destroy(mock_);
    rd_kafka_destroy(client_);
  }
  RawMockCluster(const RawMockCluster&) = delete;
  RawMockCluster& operator=(const RawMockCluster&) = delete;

  std::string bootstrap_servers() const { return rd_kafka_mock_cluster_bootstraps(mock_); }
  rd_kafka_mock_cluster_t* get() const { return mock_; }

  // Makes `topic` with one partition per entry of `leaders`, led by that broker.
  void create_topic(const std::string& topic, const std::vector<int>& leaders) {
    const auto partitions = static_cast<int>(leaders.size());
    if (rd_kafka_mock_topic_create(mock_, topic.c_str(), partitions, 1) != 0)
      throw std::runtime_error("cannot create " + topic);
    for (int p = 0; p < partitions; ++p)
      rd_kafka_mock_partition_set_leader(mock_, topic.c_str(), p, leaders[p]);
  }

 private:
  rd_kafka_t* client_ = nullptr;             // the handle the cluster belongs to
  rd_kafka_mock_cluster_t* mock_ = nullptr;  // the brokers
};

// A key that `log` puts in `partition`.
std::string key_in(const KafkaEventLog& log, std::int32_t partition) {
  for (int i = 0;; ++i) {
    auto key = numbered("CUST_", i);
    if (log.partition_for(key).value == partition) return key;
  }
}

// Appends one event on another thread.
class BackgroundAppend {
 public:
  BackgroundAppend(KafkaEventLog& log, std::string key, EncodedEvent e)
      : event_(std::move(e)), thread_([this, &log, key = std::move(key)] {
          result_.emplace(log.append(key, std::span(&event_, 1)));
        }) {}
  ~BackgroundAppend() {
    if (thread_.joinable()) thread_.join();
  }

  // Waits for the append to end.
  const Result<std::vector<events::Position>>& result() {
    thread_.join();
    return *result_;
  }

 private:
  EncodedEvent event_;                                           // the event appended
  std::optional<Result<std::vector<events::Position>>> result_;  // once the append ended
  std::thread thread_;                                           // runs the append
};

}  // namespace

TEST(KafkaEventLog, BrokersDownFailAppendsInTimeAndLoseOrDuplicateNothingAcknowledged) {
  auto cluster = start_cluster(1);
  constexpr auto kTimeout = 2s;
  auto log = open_on(*cluster, "faults", 3, kTimeout);
  Appenders appenders(*log, 4);
  ASSERT_TRUE(eventually([&] { return appenders.acknowledged() > 200; }));

  cluster->set_brokers_down();
  ASSERT_TRUE(eventually([&] { return appenders.failed() >= 4; }));
  cluster->set_brokers_up();
  const auto before = appenders.acknowledged();
  ASSERT_TRUE(eventually([&] { return appenders.acknowledged() > before + 200; }, 30s));
  appenders.stop();

  for (const auto& failure : appenders.failures_) {
    EXPECT_EQ(failure.error.code, errc::unavailable) << failure.error.message;
    EXPECT_LT(failure.took, kTimeout + 2s) << failure.error.message;
  }
  std::map<std::string, int> seen;
  for (const auto& record : read_everything(*log)) ++seen[record.payload];
  for (const auto& [payload, count] : seen) EXPECT_EQ(count, 1) << payload << " duplicated";
  for (const auto& payload : appenders.acknowledged_)
    EXPECT_TRUE(seen.contains(payload)) << payload << " was acknowledged and is missing";
}

TEST(KafkaEventLog, RetriableProduceErrorsAreRetriedTransparently) {
  auto cluster = start_cluster(1);
  auto log = open_on(*cluster, "retried", 1);
  cluster->push_request_errors(
      kProduce,
      {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
       RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS});
  for (int i = 0; i < 20; ++i) {
    const auto e = event(numbered("r", i));
    const auto result = log->append("CUST_1", std::span(&e, 1));
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->front().offset.value, i);
  }
  const auto records = read_everything(*log);
  ASSERT_EQ(records.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(records[i].payload, numbered("r", i));
}

// A fatal producer error (here: the broker and the idempotent producer disagree on the sequence
// numbers) ends the producer for good; the log replaces it and appends go on.
TEST(KafkaEventLog, AFatalProducerErrorReplacesTheProducer) {
  auto cluster = start_cluster(1);
  auto log = open_on(*cluster, "fatal", 1, 5s);
  const auto first = event("before");
  ASSERT_TRUE(log->append("CUST_5", std::span(&first, 1)).ok());
  cluster->push_request_errors(kProduce, {RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER});
  const auto doomed = event("doomed");
  const auto failed = log->append("CUST_5", std::span(&doomed, 1));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, errc::unavailable);
  ASSERT_TRUE(eventually([&] { return log->stats().producer_restarts == 1; }));
  const auto after = event("after");
  const auto result = log->append("CUST_5", std::span(&after, 1));
  ASSERT_TRUE(result.ok()) << result.error().message;
  std::vector<std::string> payloads;
  for (const auto& record : read_everything(*log)) payloads.push_back(record.payload);
  EXPECT_EQ(payloads.front(), "before");
  EXPECT_EQ(payloads.back(), "after");
}

// The producer is replaced while other threads keep using it without a pause (here: two threads
// asking for the end of the partition in overlapping turns, each answered after 400 ms), which a
// lock that lets users in ahead of a waiting replacement would hold back for as long as they ask.
TEST(KafkaEventLog, AProducerIsReplacedAtOnceWhileOtherThreadsKeepUsingIt) {
  RawMockCluster cluster(1);
  cluster.create_topic("busy-producer", {1});
  auto log = open_log(options_for(cluster.bootstrap_servers(), "busy-producer", 1, 5s));
  const auto first = event("before");
  ASSERT_TRUE(log->append("CUST_6", std::span(&first, 1)).ok());
  rd_kafka_mock_broker_set_rtt(cluster.get(), 1, 400);
  std::atomic<bool> stop{false};
  std::vector<std::thread> askers;
  for (int i = 0; i < 2; ++i) {
    askers.emplace_back([&, i] {
      std::this_thread::sleep_for(i * 200ms);
      while (!stop) (void)log->end_offset(Partition{0});
    });
  }
  std::this_thread::sleep_for(500ms);
  rd_kafka_mock_push_request_errors(cluster.get(), kProduce, 1,
                                    RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
  const auto doomed = event("doomed");
  EXPECT_FALSE(log->append("CUST_6", std::span(&doomed, 1)).ok());
  const bool replaced = eventually([&] { return log->stats().producer_restarts == 1; }, 3s);
  const auto after = event("after");
  const auto result = log->append("CUST_6", std::span(&after, 1));
  stop = true;
  for (auto& asker : askers) asker.join();
  EXPECT_TRUE(replaced);
  EXPECT_TRUE(result.ok()) << result.error().message;
}

// After a fatal error, the requests in flight still get their answers: an append the brokers
// stored is acknowledged, not reported as lost or unknown.
TEST(KafkaEventLog, AnAppendStoredBeforeAFatalErrorIsAcknowledged) {
  RawMockCluster cluster(2);
  cluster.create_topic("flushed", {1, 2});
  auto log = open_log(options_for(cluster.bootstrap_servers(), "flushed", 2, 10s));
  const auto on_1 = key_in(*log, 0), on_2 = key_in(*log, 1);  // led by brokers 1 and 2
  for (const auto& key : {on_1, on_2}) {
    const auto e = event("warm-up " + key);
    ASSERT_TRUE(log->append(key, std::span(&e, 1)).ok());
  }
  // Broker 1 stores the next append at once and answers 2 s later; meanwhile broker 2's answer
  // to another append ends the producer.
  rd_kafka_mock_broker_push_request_error_rtts(cluster.get(), 1, kProduce, 1,
                                               RD_KAFKA_RESP_ERR_NO_ERROR, 2000);
  BackgroundAppend stored(*log, on_1, event("stored"));
  auto cursor = log->open_cursor(Partition{0}, Offset{1});
  ASSERT_TRUE(cursor.ok());
  const auto readable = (*cursor)->next(1, 5s);  // then broker 1 has it, and answers later
  ASSERT_TRUE(readable.ok() && readable->size() == 1u);
  rd_kafka_mock_broker_push_request_error_rtts(cluster.get(), 2, kProduce, 1,
                                               RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, 0);
  const auto doomed = event("doomed");
  EXPECT_FALSE(log->append(on_2, std::span(&doomed, 1)).ok());

  const auto& result = stored.result();
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->front().offset.value, 1);
  EXPECT_EQ(log->stats().producer_restarts, 1u);
}

// An append whose events librdkafka purged after a fatal error (here: waiting in the queue for a
// partition leader) may or may not be in the log: its outcome is unknown, never "not written".
TEST(KafkaEventLog, AnAppendPurgedAfterAFatalErrorHasAnUnknownOutcome) {
  auto cluster = start_cluster(1);
  ensure_topic(*cluster, "purged", 2);
  cluster->set_partition_leader("purged", 0, -1);
  auto log = open_log(options_for(cluster->bootstrap_servers(), "purged", 2, 10s));
  const auto leaderless = key_in(*log, 0), led = key_in(*log, 1);
  const auto first = event("before");
  ASSERT_TRUE(log->append(led, std::span(&first, 1)).ok());
  BackgroundAppend queued(*log, leaderless, event("queued"));
  std::this_thread::sleep_for(500ms);
  cluster->push_request_errors(kProduce, {RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER});
  const auto doomed = event("doomed");
  EXPECT_FALSE(log->append(led, std::span(&doomed, 1)).ok());

  const auto& result = queued.result();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, errc::unavailable);
  EXPECT_NE(result.error().message.find("outcome unknown"), std::string::npos)
      << result.error().message;
}

// Appends that queue up for one partition (here: each holds it while it waits for room in the
// producer's queue, which nothing empties) each give up within their own timeout.
TEST(KafkaEventLog, AnAppendWaitsForItsBusyPartitionNoLongerThanItsTimeout) {
  auto cluster = start_cluster(1);
  ensure_topic(*cluster, "crowded", 1);
  cluster->set_partition_leader("crowded", 0, -1);
  constexpr auto kTimeout = 1s;
  auto options = options_for(cluster->bootstrap_servers(), "crowded", 1, kTimeout);
  options.max_queued_events = 1;
  auto log = open_log(options);
  Appenders appenders(*log, 4);
  std::this_thread::sleep_for(5s);
  appenders.stop();
  EXPECT_EQ(appenders.acknowledged(), 0u);
  EXPECT_GT(appenders.failed(), 4u);
  for (const auto& failure : appenders.failures_) {
    EXPECT_EQ(failure.error.code, errc::unavailable) << failure.error.message;
    EXPECT_LT(failure.took, kTimeout + 300ms) << failure.error.message;
  }
}

TEST(KafkaEventLog, ALeaderChangeMidStreamKeepsThePartitionsOrder) {
  auto cluster = start_cluster(3);
  auto log = open_on(*cluster, "leaders", 1);
  std::atomic<bool> moved{false};
  std::thread mover([&] {
    for (int round = 1; round <= 4; ++round) {
      std::this_thread::sleep_for(100ms);
      cluster->set_partition_leader("leaders", 0, 1 + round % 3);
    }
    moved = true;
  });
  int appended = 0;
  for (; !moved || appended < 50; ++appended) {
    const auto e = event(std::to_string(appended));
    const auto result = log->append("CUST_2", std::span(&e, 1));
    ASSERT_TRUE(result.ok()) << result.error().message;
  }
  mover.join();
  const auto records = read_everything(*log);
  ASSERT_EQ(records.size(), static_cast<std::size_t>(appended));
  for (int i = 0; i < appended; ++i) EXPECT_EQ(records[i].payload, std::to_string(i));
}

// A command whose append failed half way leaves its first parts in the topic; a reader must
// never see them. Written here with a plain producer, as a crashed writer would leave them.
// Writes records with the given payloads and "part" headers to partition 0 of `topic`, as a
// writer whose appends failed half way would have left them.
void produce_parts(KafkaMockCluster& cluster, const std::string& topic,
                   const std::vector<std::pair<std::string, std::string>>& parts) {
  char reason[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  ASSERT_EQ(rd_kafka_conf_set(conf, "bootstrap.servers", cluster.bootstrap_servers().c_str(),
                              reason, sizeof reason),
            RD_KAFKA_CONF_OK);
  rd_kafka_t* raw = rd_kafka_new(RD_KAFKA_PRODUCER, conf, reason, sizeof reason);
  ASSERT_NE(raw, nullptr) << reason;
  for (const auto& [payload, part] : parts) {
    ASSERT_EQ(
        rd_kafka_producev(raw, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(0),
                          RD_KAFKA_V_KEY("CUST_3", 6),
                          RD_KAFKA_V_VALUE(const_cast<char*>(payload.data()), payload.size()),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                          RD_KAFKA_V_HEADER("part", part.data(), static_cast<ssize_t>(part.size())),
                          RD_KAFKA_V_END),
        RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  ASSERT_EQ(rd_kafka_flush(raw, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_destroy(raw);
}

std::vector<std::string> payloads_of(const std::vector<Record>& records) {
  std::vector<std::string> payloads;
  for (const auto& record : records) payloads.push_back(record.payload);
  return payloads;
}

TEST(KafkaEventLog, ReadersSkipACommandWhosePartsStopShortOrStartLate) {
  auto cluster = start_cluster(1);
  auto log = open_on(*cluster, "torn", 1);
  const std::vector<EncodedEvent> whole{event("w1"), event("w2")};
  ASSERT_TRUE(log->append("CUST_3", whole).ok());                       // offsets 0-1
  produce_parts(*cluster, "torn", {{"t1", "1/3/T"}, {"t2", "2/3/T"}});  // 2-3: stops short

  // A reader at the end holds the two parts back while the command may still complete.
  auto tail = log->open_cursor(Partition{0}, Offset{2});
  ASSERT_TRUE(tail.ok());
  auto held = (*tail)->next(10, 500ms);
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(held->empty());
  EXPECT_EQ((*tail)->position().value, 2);

  const std::vector<EncodedEvent> after{event("a1"), event("a2"), event("a3")};
  ASSERT_TRUE(log->append("CUST_3", after).ok());  // 4-6
  auto rest = (*tail)->next(10, 5s);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 3u);
  EXPECT_EQ(rest->front().payload, "a1");
  EXPECT_EQ(rest->front().position.offset.value, 4);

  // 7-9: two commands' parts that fit by count and index but not by command; 10-11: a command
  // whose first part is missing.
  produce_parts(
      *cluster, "torn",
      {{"b1", "1/3/B"}, {"b2", "2/3/B"}, {"x3", "3/3/X"}, {"l2", "2/3/L"}, {"l3", "3/3/L"}});
  const auto z = event("z1");
  ASSERT_TRUE(log->append("CUST_3", std::span(&z, 1)).ok());  // 12
  EXPECT_EQ(payloads_of(read_everything(*log)),
            (std::vector<std::string>{"w1", "w2", "a1", "a2", "a3", "z1"}));

  // A cursor opened in the middle of a whole command reads on from there.
  auto midway = log->open_cursor(Partition{0}, Offset{5});
  ASSERT_TRUE(midway.ok());
  auto from_midway = (*midway)->next(10, 5s);
  ASSERT_TRUE(from_midway.ok());
  EXPECT_EQ(payloads_of(*from_midway), (std::vector<std::string>{"a2", "a3", "z1"}));
  EXPECT_EQ(from_midway->front().position.offset.value, 5);

  // One opened in the middle of a command whose start is missing skips the rest of it.
  for (const std::int64_t start : {10, 11}) {
    auto late = log->open_cursor(Partition{0}, Offset{start});
    ASSERT_TRUE(late.ok());
    EXPECT_GE((*late)->position().value, start);
    auto from_late = (*late)->next(10, 5s);
    ASSERT_TRUE(from_late.ok());
    EXPECT_EQ(payloads_of(*from_late), (std::vector<std::string>{"z1"})) << "from " << start;
  }
}

TEST(KafkaGroupReader, StartsEachAssignedPartitionAtItsCheckpointAndSharesThemWithNewMembers) {
  auto cluster = start_cluster(1);
  auto log = open_on(*cluster, "grouped", 4);
  std::set<std::pair<std::int32_t, std::int64_t>> expected;  // (partition, offset) past offset 0
  for (int i = 0; i < 40; ++i) {
    const auto e = event("g" + std::to_string(i));
    auto positions = log->append("CUST_" + std::to_string(100 + i), std::span(&e, 1));
    ASSERT_TRUE(positions.ok()) << positions.error().message;
    const auto& p = positions->front();
    if (p.offset.value >= 1) expected.insert({p.partition.value, p.offset.value});
  }
  KafkaLogOptions where;
  where.bootstrap_servers = cluster->bootstrap_servers();
  where.topic = "grouped";
  where.partitions = 4;
  const infra::KafkaGroupOptions group{"projectors", [](Partition) { return Offset{1}; }, 6s};
  auto first = infra::KafkaGroupReader::open(where, group);
  ASSERT_TRUE(first.ok()) << first.error().message;

  std::set<std::pair<std::int32_t, std::int64_t>> read;
  ASSERT_TRUE(eventually(
      [&] {
        auto records = (*first)->next(100, 200ms);
        EXPECT_TRUE(records.ok());
        if (records) {
          for (const auto& r : *records)
            read.insert({r.position.partition.value, r.position.offset.value});
        }
        return read.size() >= expected.size();
      },
      60s));
  EXPECT_EQ(read, expected);  // every partition from its checkpoint, nothing before it
  EXPECT_EQ((*first)->assignment().size(), 4u);

  // A second member: the group splits the partitions between the two.
  auto second = infra::KafkaGroupReader::open(where, group);
  ASSERT_TRUE(second.ok()) << second.error().message;
  ASSERT_TRUE(eventually(
      [&] {
        EXPECT_TRUE((*first)->next(100, 50ms).ok());
        EXPECT_TRUE((*second)->next(100, 50ms).ok());
        return !(*first)->assignment().empty() && !(*second)->assignment().empty();
      },
      60s));
  std::set<std::int32_t> all;
  for (const auto* member : {first->get(), second->get()}) {
    for (const auto p : member->assignment()) EXPECT_TRUE(all.insert(p.value).second) << p.value;
  }
  EXPECT_EQ(all.size(), 4u);
}

// Every record a group member reads from `checkpoint` on in partition 0 of `topic`, up to the
// one whose payload is `last`.
std::vector<std::string> read_group(KafkaMockCluster& cluster, const std::string& topic,
                                    const std::string& group, std::int64_t checkpoint,
                                    const std::string& last) {
  KafkaLogOptions where;
  where.bootstrap_servers = cluster.bootstrap_servers();
  where.topic = topic;
  where.partitions = 1;
  auto reader = infra::KafkaGroupReader::open(
      where, {group, [=](Partition) { return Offset{checkpoint}; }, 6s});
  if (!reader) return {"cannot open: " + reader.error().message};
  std::vector<std::string> payloads;
  eventually(
      [&] {
        auto records = (*reader)->next(100, 200ms);
        EXPECT_TRUE(records.ok());
        if (records) {
          for (const auto& payload : payloads_of(*records)) payloads.push_back(payload);
        }
        return !payloads.empty() && payloads.back() == last;
      },
      60s);
  return payloads;
}

// Group members start at checkpoints as cursors do at offsets: in the middle of a command, they
// check that its earlier parts are in the log, and skip its rest when they are not.
TEST(KafkaGroupReader, ACheckpointInTheMiddleOfACommandIsCheckedAsACursorsStartIs) {
  auto cluster = start_cluster(1);
  auto log = open_on(*cluster, "checked", 1);
  const std::vector<EncodedEvent> whole{event("w1"), event("w2")};
  ASSERT_TRUE(log->append("CUST_3", whole).ok());                          // 0-1
  produce_parts(*cluster, "checked", {{"l2", "2/3/L"}, {"l3", "3/3/L"}});  // 2-3: starts late
  const auto z = event("z1");
  ASSERT_TRUE(log->append("CUST_3", std::span(&z, 1)).ok());  // 4

  EXPECT_EQ(read_group(*cluster, "checked", "from-1", 1, "z1"),
            (std::vector<std::string>{"w2", "z1"}));
  EXPECT_EQ(read_group(*cluster, "checked", "from-3", 3, "z1"), (std::vector<std::string>{"z1"}));
}

TEST(KafkaEventLog, AppendedRecordsCarryTheKeyAndHeaders) {
  auto cluster = start_cluster(1);
  auto log = open_on(*cluster, "headers", 2);
  const EncodedEvent e{"0194d3a2-7c41-7b3e-9f10-2a4b6c8d0e1f", "customer.registered", 2, "{}"};
  auto positions = log->append("CUST_4", std::span(&e, 1));
  ASSERT_TRUE(positions.ok());

  char reason[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", cluster->bootstrap_servers().c_str(), reason,
                    sizeof reason);
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, reason, sizeof reason);
  ASSERT_NE(consumer, nullptr) << reason;
  rd_kafka_topic_t* topic = rd_kafka_topic_new(consumer, "headers", nullptr);
  const auto partition = positions->front().partition.value;
  ASSERT_EQ(rd_kafka_consume_start(topic, partition, positions->front().offset.value), 0);
  rd_kafka_message_t* message = rd_kafka_consume(topic, partition, 10000);
  ASSERT_NE(message, nullptr);
  ASSERT_EQ(message->err, RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(std::string(static_cast<const char*>(message->key), message->key_len), "CUST_4");
  rd_kafka_headers_t* headers = nullptr;
  ASSERT_EQ(rd_kafka_message_headers(message, &headers), RD_KAFKA_RESP_ERR_NO_ERROR);
  const auto header = [&](const char* name) {
    const void* value = nullptr;
    std::size_t size = 0;
    if (rd_kafka_header_get_last(headers, name, &value, &size)) return std::string("<none>");
    return std::string(static_cast<const char*>(value), size);
  };
  EXPECT_EQ(header("type"), "customer.registered");
  EXPECT_EQ(header("v"), "2");
  EXPECT_EQ(header("id"), e.id);
  EXPECT_EQ(header("part"), "<none>");  // a one-event command has no parts
  rd_kafka_message_destroy(message);
  rd_kafka_consume_stop(topic, partition);
  rd_kafka_topic_destroy(topic);
  rd_kafka_destroy(consumer);
}

TEST(KafkaEventLog, ATopicWithAnotherPartitionCountIsAStartupError) {
  auto cluster = start_cluster(1);
  ASSERT_TRUE(cluster->create_topic("counted", 6).ok());
  KafkaLogOptions options;
  options.bootstrap_servers = cluster->bootstrap_servers();
  options.topic = "counted";
  options.partitions = 12;
  auto log = KafkaEventLog::open(options);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.error().code, errc::invalid);
  EXPECT_EQ(log.error().field, "partitions");
  EXPECT_NE(log.error().message.find("6"), std::string::npos) << log.error().message;
}

TEST(KafkaEventLog, AnUnreachableClusterIsUnavailable) {
  KafkaLogOptions options;
  options.bootstrap_servers = "127.0.0.1:1";  // nothing listens on port 1
  options.connect_timeout = 1s;
  const auto started = std::chrono::steady_clock::now();
  auto log = KafkaEventLog::open(options);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.error().code, errc::unavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

}  // namespace clientele::testing
