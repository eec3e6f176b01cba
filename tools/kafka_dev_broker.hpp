#pragma once
// `clientele kafka-dev-broker`: a Kafka-protocol broker on loopback for development and tests
// (librdkafka's mock cluster, in this process, in memory), with the event topic made up front.
// Its limits are in its --help and in README.md; real Kafka in production.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace clientele::tools {

struct KafkaDevBrokerOptions {
  int brokers = 1;                         // --brokers: 1..3
  std::int32_t partitions = 12;            // --partitions of --topic: 1..1024
  int port = 0;                            // --port: bootstrap port on 127.0.0.1; 0 = any free one
  std::string port_file;                   // --port-file: also write the address here; "" = no
  std::string topic = "clientele.events";  // --topic: created at start
};

// Adds the `kafka-dev-broker` subcommand to `app`, its options bound to `options`. Returns it.
CLI::App* add_kafka_dev_broker_command(CLI::App& app, KafkaDevBrokerOptions& options);

// Starts the brokers and creates the topic; writes the bootstrap address, one line, to
// --port-file (through a temporary file renamed into place, so that a reader never sees half
// of it; a stale one is removed first, and it is removed on stop) and prints it as the first
// line on stdout; then runs until SIGTERM or SIGINT. Returns the exit code: 0 after a signal;
// 1 when it cannot start (e.g. --port in use) or write the port file, before printing
// anything; 2 for a topic name Kafka refuses.
int run_kafka_dev_broker(const KafkaDevBrokerOptions& options);

}  // namespace clientele::tools
