#pragma once
// A Kafka-protocol cluster inside this process (librdkafka's mock cluster): the backend of
// `clientele kafka-dev-broker` and of the Kafka tests. It lives in memory, listens on loopback
// only, keeps only about 5 MiB or 100k batches per partition (older data is dropped silently),
// writes no transaction markers and has no CreateTopics API. For development and tests; real
// Kafka in production.
//
// The mock brokers listen on ports the kernel picks (librdkafka 2.0.2 offers no way to choose
// them). A fixed bootstrap port is a loopback listener of ours that splices each connection to
// broker 1: Kafka clients use the bootstrap address only for their first connection, then
// connect to the brokers the metadata advertises (their real ports).

#include <memory>
#include <string>
#include <vector>

#include "domain/result.hpp"

namespace clientele::infra {

struct KafkaMockOptions {
  int brokers = 1;  // 1..3; broker ids are 1..brokers
  int port = 0;     // the bootstrap port on 127.0.0.1; 0 = the brokers' own ports
};

// A Kafka-protocol cluster in this process, on loopback, in memory (librdkafka's mock cluster).
// Thread-safe (the mock API is). Not for production: see kafka-dev-broker --help for its limits.
class KafkaMockCluster {
 public:
  // Starts the brokers (and the bootstrap listener when options.port != 0).
  // errc::invalid for brokers outside 1..3 or a port outside 0..65535; errc::unavailable when it
  // cannot start or listen (the message names the port when it is in use).
  static Result<std::unique_ptr<KafkaMockCluster>> start(const KafkaMockOptions& options);

  // Closes every client connection and the listeners; the data is gone.
  ~KafkaMockCluster();
  KafkaMockCluster(const KafkaMockCluster&) = delete;
  KafkaMockCluster& operator=(const KafkaMockCluster&) = delete;

  // "127.0.0.1:PORT[,127.0.0.1:PORT...]", for bootstrap.servers: every broker's own address, or
  // "127.0.0.1:<options.port>" alone when a port was given.
  const std::string& bootstrap_servers() const;

  // Creates `topic` with `partitions` partitions (replication factor = min(3, brokers)), their
  // leaders spread over the brokers. The mock has no CreateTopics API, so topics are made here.
  // errc::invalid for a count outside 1..1024 or a name Kafka refuses (empty, longer than 249,
  // other than [a-zA-Z0-9._-], "." or ".."); errc::conflict when the topic exists.
  // (A client asking for metadata of a missing topic makes the mock create it itself, with the
  // mock's default of 4 partitions.)
  Result<void> create_topic(const std::string& topic, int partitions);

  // Fault injection, for tests:
  // All brokers disconnect their clients and refuse new connections (through the bootstrap
  // port too) until set_brokers_up(). Partition leaders do not change.
  void set_brokers_down();
  void set_brokers_up();
  // The next `errors.size()` requests of `api_key` (a Kafka protocol ApiKey, e.g. Produce = 0)
  // to any broker fail with these errors (rd_kafka_resp_err_t values), in order.
  // RD_KAFKA_RESP_ERR__TRANSPORT (-195) makes the broker drop the connection instead.
  void push_request_errors(int api_key, const std::vector<int>& errors);
  // Makes `broker_id` the leader of the partition (creating the topic if it is missing);
  // -1 or an id that is not a broker leaves the partition without a leader.
  void set_partition_leader(const std::string& topic, int partition, int broker_id);

  int broker_count() const;

  struct Impl;

 private:
  explicit KafkaMockCluster(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;  // the librdkafka handles and the bootstrap forwarder
};

}  // namespace clientele::infra
