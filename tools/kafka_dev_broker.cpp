#include "tools/kafka_dev_broker.hpp"

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <iostream>

#include "infra/kafka_mock_cluster.hpp"
#include "infra/logging.hpp"
#include "tools/port_file.hpp"
#include "tools/stop_signals.hpp"

namespace clientele::tools {
namespace {

constexpr int kCannotStart = 1;  // exit code when the broker cannot start
constexpr int kBadOptions = 2;   // exit code for a malformed option

// What --help says it is not; README.md "Kafka dev broker" says the same.
constexpr const char* kLimits =
    "Limits (it is librdkafka's mock cluster): for development and tests; use real Kafka in "
    "production.\n"
    "  - Memory only: every topic and message is lost when it stops.\n"
    "  - Keeps only about 5 MiB or 100k batches per partition and silently drops older data.\n"
    "  - Writes no transaction markers.\n"
    "  - Consumer-group joins and rebalances are slow unless the consumers set a low\n"
    "    session.timeout.ms (about 6000, i.e. 6 s).\n"
    "  - Loopback (127.0.0.1) only.\n"
    "  - No CreateTopics API: it creates --topic itself; a topic a client asks for that does\n"
    "    not exist is auto-created with 4 partitions.\n"
    "It prints the bootstrap address as the first line on stdout and runs until SIGTERM or\n"
    "SIGINT. Exit codes: 0 after a signal, 1 when it cannot start, 2 for a bad option.";

int fail(std::string_view what, const Error& error) {
  infra::log_error(what, {{"error", error.message}, {"field", error.field}});
  return error.code == errc::invalid ? kBadOptions : kCannotStart;
}

// Runs the broker until the stop. Returns the exit code.
int run_broker(const KafkaDevBrokerOptions& options, const std::function<void()>& wait_for_stop) {
  const std::filesystem::path port_file = options.port_file;
  remove_port_file(port_file);

  auto cluster = infra::KafkaMockCluster::start({.brokers = options.brokers, .port = options.port});
  if (!cluster) return fail("cannot start the kafka dev broker", cluster.error());
  if (auto made = (*cluster)->create_topic(options.topic, options.partitions); !made) {
    return fail("cannot create the topic", made.error());
  }
  const std::string& servers = (*cluster)->bootstrap_servers();
  if (!port_file.empty()) {
    if (auto written = write_port_file(port_file, servers); !written) {
      return fail("cannot write the port file", written.error());
    }
  }
  std::cout << servers << std::endl;  // flushed: whoever started it may be waiting for it
  nlohmann::json ready{{"bootstrapServers", servers},
                       {"brokers", (*cluster)->broker_count()},
                       {"topic", options.topic},
                       {"partitions", options.partitions},
                       {"pid", ::getpid()}};
  if (!port_file.empty()) ready["portFile"] = std::filesystem::absolute(port_file).string();
  infra::log_info("kafka dev broker ready", ready);

  wait_for_stop();
  remove_port_file(port_file);
  return 0;  // the cluster stops here, closing its clients' connections
}

}  // namespace

CLI::App* add_kafka_dev_broker_command(CLI::App& app, KafkaDevBrokerOptions& options) {
  auto* broker = app.add_subcommand(
      "kafka-dev-broker",
      "Run a Kafka-protocol broker on loopback, in memory, for development and tests; prints "
      "its bootstrap address");
  broker->footer(kLimits);
  broker->add_option("--brokers", options.brokers, "Brokers in the cluster (1..3)")
      ->check(CLI::Range(1, 3))
      ->capture_default_str();
  broker->add_option("--partitions", options.partitions, "Partitions of --topic (1..1024)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  broker
      ->add_option("--port", options.port,
                   "Bootstrap port on 127.0.0.1 (0: the brokers' own ports, chosen by the system)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  broker->add_option("--port-file", options.port_file,
                     "Also write the bootstrap address to this file once the topic exists "
                     "(written whole; removed on stop)");
  broker->add_option("--topic", options.topic, "The topic to create at start")
      ->capture_default_str();
  return broker;
}

int run_kafka_dev_broker(const KafkaDevBrokerOptions& options) {
  return run_until_signal([&](const std::function<void()>& wait_for_stop) {
    return run_broker(options, wait_for_stop);
  });
}

}  // namespace clientele::tools
