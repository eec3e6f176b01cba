// A plain Kafka tool (kcat) and clientele read each other's events: key = customer id, value =
// the envelope, headers = type, v and event id. The broker is the mock cluster, in this process.

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>

#include "events/envelope.hpp"
#include "infra/kafka_event_log.hpp"
#include "infra/kafka_mock_cluster.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kKcat = "/usr/bin/kcat";
constexpr const char* kTopic = "clientele.events";

class KafkaInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = infra::KafkaMockCluster::start({});
    ASSERT_TRUE(started.ok()) << started.error().message;
    cluster_ = std::move(*started);
    ASSERT_TRUE(cluster_->create_topic(kTopic, 3).ok());
    infra::KafkaLogOptions options;
    options.bootstrap_servers = cluster_->bootstrap_servers();
    options.partitions = 3;
    auto log = infra::KafkaEventLog::open(options);
    ASSERT_TRUE(log.ok()) << log.error().message;
    log_ = std::move(*log);
  }

  // A small envelope of `customer`, as JSON text.
  static std::string envelope_text(const std::string& customer, const std::string& id) {
    events::Envelope e;
    e.id = id;
    e.type = "customer.status-changed";
    e.stream = "customer-" + customer;
    e.seq = StreamVersion{2};
    e.customer_id = CustomerId(customer);
    e.actor = Actor{UserId("staff-7"), Role::Administrator};
    e.data = {{"status", "Suspended"}};
    e.personal = nullptr;
    return events::serialize(e);
  }

  std::unique_ptr<infra::KafkaMockCluster> cluster_;
  std::unique_ptr<infra::KafkaEventLog> log_;
};

TEST_F(KafkaInterop, KcatReadsWhatClienteleWrites) {
  const std::string customer = "CUST_0a0b0c0d";
  const std::string id = "0194d3a2-7c41-7b3e-9f10-2a4b6c8d0e1f";
  const auto payload = envelope_text(customer, id);
  const events::EncodedEvent event{id, "customer.status-changed", 1, payload};
  const auto written = log_->append(customer, std::span(&event, 1));
  ASSERT_TRUE(written.ok()) << written.error().message;

  const auto read = run_process({kKcat, "-C", "-b", cluster_->bootstrap_servers(), "-t", kTopic,
                                 "-p", std::to_string(written->front().partition.value), "-o",
                                 "beginning", "-e", "-q", "-f", "%k|%h|%s\\n"},
                                60s);
  ASSERT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(read.out,
            customer + "|type=customer.status-changed,v=1,id=" + id + "|" + payload + "\n");
}

TEST_F(KafkaInterop, ClienteleReadsWhatKcatWrites) {
  const std::string customer = "CUST_1a2b3c4d";
  const auto payload = envelope_text(customer, "0194d3a2-7c41-7b3e-9f10-000000000001");
  TempDir dir;
  const auto input = dir.path() / "input.txt";
  std::ofstream(input) << customer << '\t' << payload << '\n';
  // kcat must partition as Kafka's Java client does (murmur2), as clientele does: librdkafka's
  // default partitioner is another.
  const auto wrote =
      run_process({kKcat, "-P", "-b", cluster_->bootstrap_servers(), "-t", kTopic, "-X",
                   "partitioner=murmur2_random", "-K", "\t", "-l", input.string()},
                  60s);
  ASSERT_EQ(wrote.exit_code, 0) << wrote.err;

  auto cursor = log_->open_cursor(log_->partition_for(customer), events::Offset{0});
  ASSERT_TRUE(cursor.ok()) << cursor.error().message;
  auto records = (*cursor)->next(10, 10s);
  ASSERT_TRUE(records.ok()) << records.error().message;
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ(records->front().key, customer);
  EXPECT_EQ(records->front().payload, payload);
  const auto envelope = events::parse_envelope(records->front().payload);
  ASSERT_TRUE(envelope.ok()) << envelope.error().message;
  EXPECT_EQ(envelope->customer_id, CustomerId(customer));
}

}  // namespace
}  // namespace clientele::testing
