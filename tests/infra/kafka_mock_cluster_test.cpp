// The in-process Kafka cluster (librdkafka's mock) that kafka-dev-broker and the Kafka tests run
// on, checked with plain librdkafka clients: what they produce comes back, through the brokers'
// own addresses and through a fixed bootstrap port, and the fault injection reaches them.

#include "infra/kafka_mock_cluster.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace clientele::infra {
namespace {

using namespace std::chrono_literals;

constexpr int kProduceApiKey = 0;  // the Kafka protocol's ProduceRequest

std::unique_ptr<KafkaMockCluster> start_cluster(const KafkaMockOptions& options) {
  auto cluster = KafkaMockCluster::start(options);
  if (!cluster) throw std::runtime_error(cluster.error().message);
  return std::move(*cluster);
}

// ---- plain librdkafka clients --------------------------------------------------------------

using Client = std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)>;

// What the delivery report of one produced message said.
struct Delivery {
  bool reported = false;                                   // the report came
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;  // its error
  std::int32_t partition = -1;                             // where it went
  std::int64_t offset = -1;                                // at which offset
};

void on_delivery(rd_kafka_t* /*client*/, const rd_kafka_message_t* message, void* /*opaque*/) {
  auto* delivery = static_cast<Delivery*>(message->_private);
  delivery->reported = true;
  delivery->error = message->err;
  delivery->partition = message->partition;
  delivery->offset = message->offset;
}

Client make_client(rd_kafka_type_t type, const std::map<std::string, std::string>& settings) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, sizeof error) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      throw std::runtime_error(error);
    }
  }
  if (type == RD_KAFKA_PRODUCER) rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t* client = rd_kafka_new(type, conf, error, sizeof error);
  if (client == nullptr) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(error);
  }
  return Client(client, &rd_kafka_destroy);
}

// Produces one message with a key to `partition` and waits for its delivery report.
Delivery produce(const std::string& servers, const std::string& topic, std::int32_t partition,
                 const std::string& key, const std::string& value,
                 std::chrono::milliseconds timeout = 10s) {
  auto producer = make_client(
      RD_KAFKA_PRODUCER,
      {{"bootstrap.servers", servers}, {"message.timeout.ms", std::to_string(timeout.count())}});
  Delivery delivery;
  const auto queued = rd_kafka_producev(
      producer.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
      RD_KAFKA_V_KEY(key.data(), key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&delivery), RD_KAFKA_V_END);
  if (queued != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(std::string("producev: ") + rd_kafka_err2str(queued));
  }
  rd_kafka_flush(producer.get(), static_cast<int>((timeout + 5s).count()));
  return delivery;
}

struct Consumed {
  std::string key;              // the message's key
  std::string value;            // its value
  std::int32_t partition = -1;  // where it was read
  std::int64_t offset = -1;     // at which offset
};

// Reads the first message of `partition` (assigned, not subscribed), or nullopt after `limit`.
std::optional<Consumed> consume_first(const std::string& servers, const std::string& topic,
                                      std::int32_t partition,
                                      std::chrono::milliseconds limit = 15s) {
  auto consumer = make_client(RD_KAFKA_CONSUMER, {{"bootstrap.servers", servers},
                                                  {"group.id", "kafka-mock-cluster-test"},
                                                  {"enable.auto.commit", "false"}});
  auto* assignment = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(assignment, topic.c_str(), partition)->offset =
      RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(consumer.get(), assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
  std::optional<Consumed> consumed;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!consumed && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer.get(), 100);
    if (message == nullptr) continue;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      consumed = Consumed{std::string(static_cast<const char*>(message->key), message->key_len),
                          std::string(static_cast<const char*>(message->payload), message->len),
                          message->partition, message->offset};
    }
    rd_kafka_message_destroy(message);
  }
  rd_kafka_consumer_close(consumer.get());
  return consumed;
}

using Metadata = std::unique_ptr<const rd_kafka_metadata_t, decltype(&rd_kafka_metadata_destroy)>;

Metadata metadata_of(const std::string& servers) {
  auto client = make_client(RD_KAFKA_PRODUCER, {{"bootstrap.servers", servers}});
  const rd_kafka_metadata_t* metadata = nullptr;
  const auto error = rd_kafka_metadata(client.get(), 1, nullptr, &metadata, 10'000);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(std::string("metadata: ") + rd_kafka_err2str(error));
  }
  return Metadata(metadata, &rd_kafka_metadata_destroy);
}

const rd_kafka_metadata_topic_t* find_topic(const rd_kafka_metadata_t& metadata,
                                            const std::string& topic) {
  for (int i = 0; i < metadata.topic_cnt; ++i) {
    if (metadata.topics[i].topic == topic) return &metadata.topics[i];
  }
  return nullptr;
}

// ---- sockets -------------------------------------------------------------------------------

// A loopback socket bound to `port` (0: any), listening unless told otherwise; closed with it.
class LoopbackSocket {
 public:
  explicit LoopbackSocket(int port = 0, bool listening = true)
      : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        (listening && ::listen(fd_, 4) != 0) ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      if (fd_ >= 0) ::close(fd_);
      throw std::runtime_error("cannot bind a loopback socket");
    }
    port_ = ntohs(address.sin_port);
  }
  ~LoopbackSocket() { ::close(fd_); }
  LoopbackSocket(const LoopbackSocket&) = delete;
  LoopbackSocket& operator=(const LoopbackSocket&) = delete;

  int port() const { return port_; }

 private:
  int fd_ = -1;   // the socket
  int port_ = 0;  // the port it is bound to
};

// A port that was free a moment ago (bound to 127.0.0.1:0, then closed).
int free_port() {
  return LoopbackSocket(0, false).port();
}

// ---- tests ---------------------------------------------------------------------------------

TEST(KafkaMockCluster, AMessageProducedWithAKeyToAPartitionIsConsumedBack) {
  auto cluster = start_cluster({});
  EXPECT_EQ(cluster->broker_count(), 1);
  EXPECT_EQ(cluster->bootstrap_servers().rfind("127.0.0.1:", 0), 0u)
      << cluster->bootstrap_servers();
  ASSERT_TRUE(cluster->create_topic("orders", 3).ok());

  const auto delivery = produce(cluster->bootstrap_servers(), "orders", 1, "CUST_1", "hello");
  ASSERT_TRUE(delivery.reported);
  EXPECT_EQ(delivery.error, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(delivery.error);
  EXPECT_EQ(delivery.partition, 1);
  EXPECT_EQ(delivery.offset, 0);

  const auto consumed = consume_first(cluster->bootstrap_servers(), "orders", 1);
  ASSERT_TRUE(consumed.has_value());
  EXPECT_EQ(consumed->key, "CUST_1");
  EXPECT_EQ(consumed->value, "hello");
  EXPECT_EQ(consumed->partition, 1);
  EXPECT_EQ(consumed->offset, 0);
}

TEST(KafkaMockCluster, AFixedBootstrapPortForwardsToTheBrokers) {
  const int port = free_port();
  auto cluster = start_cluster({.brokers = 2, .port = port});
  EXPECT_EQ(cluster->bootstrap_servers(), "127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(cluster->create_topic("orders", 3).ok());

  const auto delivery = produce(cluster->bootstrap_servers(), "orders", 1, "CUST_2", "through");
  ASSERT_TRUE(delivery.reported);
  EXPECT_EQ(delivery.error, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(delivery.error);
  const auto consumed = consume_first(cluster->bootstrap_servers(), "orders", 1);
  ASSERT_TRUE(consumed.has_value());
  EXPECT_EQ(consumed->key, "CUST_2");
  EXPECT_EQ(consumed->value, "through");
  EXPECT_EQ(consumed->partition, 1);
}

TEST(KafkaMockCluster, TheBootstrapPortIsFreeAgainOnceTheClusterIsGone) {
  const int port = free_port();
  start_cluster({.port = port}).reset();
  auto again = start_cluster({.port = port});
  EXPECT_EQ(again->bootstrap_servers(), "127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(metadata_of(again->bootstrap_servers())->broker_cnt, 1);
}

TEST(KafkaMockCluster, OneToThreeBrokersOnly) {
  for (const int brokers : {0, 4, -1}) {
    const auto cluster = KafkaMockCluster::start({.brokers = brokers});
    ASSERT_FALSE(cluster.ok()) << brokers;
    EXPECT_EQ(cluster.error().code, errc::invalid);
    EXPECT_EQ(cluster.error().field, "brokers");
  }
  auto three = start_cluster({.brokers = 3});
  EXPECT_EQ(three->broker_count(), 3);
  EXPECT_EQ(metadata_of(three->bootstrap_servers())->broker_cnt, 3);
}

TEST(KafkaMockCluster, APortInUseIsUnavailableAndNamed) {
  LoopbackSocket taken;
  const auto cluster = KafkaMockCluster::start({.port = taken.port()});
  ASSERT_FALSE(cluster.ok());
  EXPECT_EQ(cluster.error().code, errc::unavailable);
  EXPECT_NE(cluster.error().message.find(std::to_string(taken.port())), std::string::npos)
      << cluster.error().message;
  EXPECT_NE(cluster.error().message.find("in use"), std::string::npos) << cluster.error().message;
}

TEST(KafkaMockCluster, ANegativeOrTooLargePortIsInvalid) {
  for (const int port : {-1, 65536}) {
    const auto cluster = KafkaMockCluster::start({.port = port});
    ASSERT_FALSE(cluster.ok()) << port;
    EXPECT_EQ(cluster.error().code, errc::invalid);
  }
}

TEST(KafkaMockCluster, TopicsHaveTheirPartitionsAndOneReplicaPerBrokerUpToThree) {
  auto cluster = start_cluster({.brokers = 2});
  ASSERT_TRUE(cluster->create_topic("clientele.events", 12).ok());
  const auto metadata = metadata_of(cluster->bootstrap_servers());
  const auto* topic = find_topic(*metadata, "clientele.events");
  ASSERT_NE(topic, nullptr);
  EXPECT_EQ(topic->err, RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_EQ(topic->partition_cnt, 12);
  for (int p = 0; p < topic->partition_cnt; ++p) EXPECT_EQ(topic->partitions[p].replica_cnt, 2);
}

TEST(KafkaMockCluster, ABadPartitionCountOrTopicNameIsInvalidAndATopicIsMadeOnce) {
  auto cluster = start_cluster({});
  for (const int partitions : {0, -3, 1025}) {
    const auto made = cluster->create_topic("t", partitions);
    ASSERT_FALSE(made.ok()) << partitions;
    EXPECT_EQ(made.error().code, errc::invalid);
    EXPECT_EQ(made.error().field, "partitions");
  }
  for (const std::string& name :
       std::vector<std::string>{"", "..", "has space", std::string(250, 'x')}) {
    const auto made = cluster->create_topic(name, 1);
    ASSERT_FALSE(made.ok()) << name;
    EXPECT_EQ(made.error().code, errc::invalid);
  }
  ASSERT_TRUE(cluster->create_topic("once", 1024).ok());
  const auto again = cluster->create_topic("once", 2);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, errc::conflict);
}

TEST(KafkaMockCluster, PushedRequestErrorsFailTheNextRequestsInOrder) {
  auto cluster = start_cluster({});
  ASSERT_TRUE(cluster->create_topic("orders", 1).ok());
  cluster->push_request_errors(kProduceApiKey, {RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                                                RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE});
  for (const auto expected :
       {RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE}) {
    const auto refused = produce(cluster->bootstrap_servers(), "orders", 0, "k", "v");
    ASSERT_TRUE(refused.reported);
    EXPECT_EQ(refused.error, expected) << rd_kafka_err2str(refused.error);
  }
  const auto accepted = produce(cluster->bootstrap_servers(), "orders", 0, "k", "v");
  EXPECT_EQ(accepted.error, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(accepted.error);
  EXPECT_EQ(accepted.offset, 0);
}

TEST(KafkaMockCluster, BrokersThatAreDownTakeNothingUntilTheyAreUpAgain) {
  const int port = free_port();
  auto cluster = start_cluster({.port = port});
  ASSERT_TRUE(cluster->create_topic("orders", 1).ok());
  cluster->set_brokers_down();
  const auto lost = produce(cluster->bootstrap_servers(), "orders", 0, "k", "v", 1500ms);
  ASSERT_TRUE(lost.reported);
  EXPECT_EQ(lost.error, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT) << rd_kafka_err2str(lost.error);
  cluster->set_brokers_up();
  const auto delivered = produce(cluster->bootstrap_servers(), "orders", 0, "k", "v");
  EXPECT_EQ(delivered.error, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(delivered.error);
  EXPECT_EQ(delivered.offset, 0);
}

TEST(KafkaMockCluster, APartitionLeaderCanBeMoved) {
  auto cluster = start_cluster({.brokers = 3});
  ASSERT_TRUE(cluster->create_topic("orders", 3).ok());
  cluster->set_partition_leader("orders", 0, 3);
  cluster->set_partition_leader("orders", 1, 3);
  const auto metadata = metadata_of(cluster->bootstrap_servers());
  const auto* topic = find_topic(*metadata, "orders");
  ASSERT_NE(topic, nullptr);
  ASSERT_EQ(topic->partition_cnt, 3);
  EXPECT_EQ(topic->partitions[0].leader, 3);
  EXPECT_EQ(topic->partitions[1].leader, 3);
}

}  // namespace
}  // namespace clientele::infra
