// The `clientele` executable, run as a separate process, as users run it.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "domain/customer.hpp"
#include "events/codec.hpp"
#include "events/envelope.hpp"
#include "events/sealing.hpp"
#include "infra/embedded_event_log.hpp"
#include "infra/kafka_event_log.hpp"
#include "infra/rocksdb_key_store.hpp"
#include "infra/rocksdb_read_model_store.hpp"
#include "tests/support/clientele.hpp"
#include "tests/support/history_writer.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

TEST(Cli, ServeOpensTheEventLogLogsWhereItIsAndStopsCleanlyOnSigterm) {
  TempDir dir;
  const auto data = dir.path() / "var";
  Child serve(serve_with({"--data-dir", data.string()}));
  std::vector<json> seen;
  ASSERT_FALSE(wait_for_log(serve, "ready", &seen).is_null());
  const auto opened = std::find_if(seen.begin(), seen.end(), [](const json& line) {
    return line.value("msg", "") == "event log opened";
  });
  ASSERT_NE(opened, seen.end());
  EXPECT_EQ(opened->value("path", ""), std::filesystem::absolute(data / "events").string());
  EXPECT_EQ(opened->value("partitions", 0), 12);
  EXPECT_EQ(opened->value("eventLog", ""), "embedded");
  EXPECT_TRUE(std::filesystem::exists(data / "events" / "CURRENT"));
  EXPECT_TRUE(std::filesystem::exists(data / "keys" / "CURRENT"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "var-keys" / "kek"));
  EXPECT_FALSE(std::filesystem::exists(data / "kek"));

  EXPECT_EQ(serve.stop(SIGTERM), 0);
  std::vector<json> after;
  wait_for_log(serve, "stopped", &after);
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(after.back().value("msg", ""), "stopped");
}

TEST(Cli, ServeTakesItsDataDirectoryFromTheEnvironment) {
  TempDir dir;
  const auto data = dir.path() / "from-env";
  auto argv = serve_with({});
  argv.insert(argv.begin(), {"/usr/bin/env", "CLIENTELE_DATA_DIR=" + data.string()});
  Child serve(argv);
  ASSERT_FALSE(wait_for_log(serve, "ready").is_null());
  EXPECT_TRUE(std::filesystem::exists(data / "events" / "CURRENT"));
  EXPECT_EQ(serve.stop(SIGTERM), 0);
}

TEST(Cli, ASecondServeOnTheSameDataDirectoryFailsWithAClearError) {
  TempDir dir;
  const auto data = (dir.path() / "var").string();
  Child first(serve_with({"--data-dir", data}));
  ASSERT_FALSE(wait_for_log(first, "ready").is_null());
  const auto second = run_process(serve_with({"--data-dir", data}));
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("cannot open the event log"), std::string::npos) << second.err;
  EXPECT_EQ(first.stop(SIGTERM), 0);
}

TEST(Cli, ServeRefusesAPartitionCountThatDiffersFromTheLogs) {
  TempDir dir;
  const auto data = (dir.path() / "var").string();
  {
    Child first(serve_with({"--data-dir", data, "--partitions", "12"}));
    ASSERT_FALSE(wait_for_log(first, "ready").is_null());
    ASSERT_EQ(first.stop(SIGTERM), 0);
  }
  const auto second = run_process(serve_with({"--data-dir", data, "--partitions", "6"}));
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("partition count cannot change"), std::string::npos) << second.err;
}

// Runs `serve` on `data` until it is ready, then stops it: a fresh installation with keys.
void serve_once(const std::filesystem::path& data) {
  Child serve(serve_with({"--data-dir", data.string()}));
  ASSERT_FALSE(wait_for_log(serve, "ready").is_null());
  ASSERT_EQ(serve.stop(SIGTERM), 0);
}

TEST(Cli, ServeRefusesAWrongKeyEncryptionKey) {
  TempDir dir;
  const auto data = dir.path() / "var";
  serve_once(data);
  const auto wrong = run_process({"/usr/bin/env", "CLIENTELE_KEK=" + std::string(64, 'a'), kBinary,
                                  "serve", "--data-dir", data.string()});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("wrong key-encryption key"), std::string::npos) << wrong.err;
}

TEST(Cli, ServeNeverMakesANewKeyForAnExistingInstallation) {
  TempDir dir;
  const auto data = dir.path() / "var";
  serve_once(data);
  std::filesystem::remove(dir.path() / "var-keys" / "kek");
  const auto again = run_process(serve_with({"--data-dir", data.string()}));
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("--kek-file"), std::string::npos) << again.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "var-keys" / "kek"));
}

TEST(Cli, ServeTakesTheKeyEncryptionKeyFromAFile) {
  TempDir dir;
  const auto data = dir.path() / "var";
  const auto kek = dir.path() / "kek.hex";
  std::ofstream(kek) << std::string(64, 'b') << "\n";
  Child serve(serve_with({"--data-dir", data.string(), "--kek-file", kek.string()}));
  ASSERT_FALSE(wait_for_log(serve, "ready").is_null());
  EXPECT_EQ(serve.stop(SIGTERM), 0);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "var-keys" / "kek"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "var-keys" / "pepper"));
}

// Runs `clientele projections <subcommand> <arguments>` on the installation in `dir`.
Finished projections_command(const std::string& subcommand, const std::filesystem::path& dir,
                             const std::vector<std::string>& arguments = {}) {
  std::vector<std::string> argv{kBinary, "projections", subcommand};
  for (auto& option : store_options(dir)) argv.push_back(option);
  for (const auto& argument : arguments) argv.push_back(argument);
  return run_process(argv);
}

// The status `clientele projections status` prints for the installation in `dir`.
json projections_status(const std::filesystem::path& dir) {
  const auto status = projections_command("status", dir);
  EXPECT_EQ(status.exit_code, 0) << status.err;
  return json::parse(status.out, nullptr, false);
}

// The state, the lag and the sum of the checkpoints of the read model `name` in `status`.
std::tuple<std::string, std::int64_t, std::int64_t> state_of(const json& status,
                                                             const std::string& name) {
  std::string state;
  std::int64_t lag = -1, checkpoints = 0;
  for (const auto& model : status["models"]) {
    if (model["name"] != name) continue;
    state = model["state"];
    lag = model["lag"].get<std::int64_t>();
    for (const auto& partition : model["partitions"])
      checkpoints += partition["checkpoint"].get<std::int64_t>();
  }
  return {state, lag, checkpoints};
}

constexpr std::array<const char*, 9> kModels{
    "address_book",  "audit_timeline",   "commerce_analytics", "complaints", "customer_analytics",
    "customer_list", "customer_profile", "customer_search",    "orders"};

// Whether the scratch directories of the read-only subcommands are all gone from `data`.
bool no_scratch_left(const std::filesystem::path& data) {
  const auto scratch = data / "scratch";
  return !std::filesystem::exists(scratch) || std::filesystem::is_empty(scratch);
}

TEST(Cli, ServeFoldsTheLogIntoReadModelsThatProjectionsStatusAndVerifyInspect) {
  TempDir dir;
  const auto data = dir.path() / "var";
  ASSERT_NO_FATAL_FAILURE(write_three_events(dir.path()));
  const auto before = projections_status(dir.path());
  ASSERT_EQ(before["models"].size(), kModels.size()) << before.dump();
  for (const char* name : kModels) {
    EXPECT_EQ(state_of(before, name), std::make_tuple("absent", std::int64_t{3}, std::int64_t{0}))
        << name;
  }

  Child serve(serve_command(dir.path()));
  const auto caught_up = wait_for_log(serve, "read models caught up");
  ASSERT_FALSE(caught_up.is_null());
  EXPECT_EQ(caught_up["events"], 3);
  EXPECT_EQ(serve.stop(SIGTERM), 0);

  const auto after = projections_status(dir.path());
  ASSERT_EQ(after["models"].size(), kModels.size()) << after.dump();
  for (const char* name : kModels) {
    EXPECT_EQ(state_of(after, name), std::make_tuple("live", std::int64_t{0}, std::int64_t{3}))
        << name;
  }

  // Folding the log afresh gives the same read models; a row changed behind the projector's
  // back does not.
  auto verified = projections_command("verify", dir.path());
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  const auto report = json::parse(verified.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << verified.out;
  EXPECT_EQ(report["equal"], true);
  ASSERT_EQ(report["models"].size(), kModels.size());
  for (const auto& model : report["models"]) EXPECT_EQ(model["events"], 3) << model.dump();
  {
    auto store = infra::RocksDbReadModelStore::open(data / "views");
    ASSERT_TRUE(store.ok());
    auto batch = (*store)->batch();
    batch->put({"customer_search", 1}, "s/CUST_00000bad", "tampered");
    ASSERT_TRUE((*store)->commit(*batch).ok());
  }
  const auto differs = projections_command("verify", dir.path());
  EXPECT_EQ(differs.exit_code, 1);
  const auto found = json::parse(differs.out, nullptr, false);
  ASSERT_TRUE(found.is_object()) << differs.out;
  EXPECT_EQ(found["equal"], false);
  for (const auto& model : found["models"])
    EXPECT_EQ(model["equal"], model["name"] != "customer_search") << model.dump();
  EXPECT_FALSE(std::filesystem::exists(data / "views-verify"));
  EXPECT_TRUE(no_scratch_left(data)) << "the scratch store is left";

  // Rebuilding the damaged model puts it right; rebuilding all of them changes nothing else.
  const auto rebuilt = projections_command("rebuild", dir.path(), {"customer_search"});
  EXPECT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
  EXPECT_EQ(json::parse(rebuilt.out, nullptr, false)["rebuilt"][0]["namespace"],
            "customer_search.v1.b1");
  EXPECT_EQ(projections_command("verify", dir.path()).exit_code, 0);
  const auto orders = projections_command("rebuild", dir.path(), {"orders"});
  EXPECT_EQ(orders.exit_code, 0) << orders.err;
  EXPECT_EQ(projections_command("rebuild", dir.path(), {"--all"}).exit_code, 0);
  const auto final_status = projections_status(dir.path());
  ASSERT_EQ(final_status["models"].size(), kModels.size()) << "an old build is left";
  for (const auto& model : final_status["models"]) {
    EXPECT_EQ(model["state"], "live") << model.dump();
    EXPECT_EQ(model["lag"], 0) << model.dump();
    const bool twice = model["name"] == "customer_search" || model["name"] == "orders";
    EXPECT_EQ(model["build"], twice ? 2 : 1) << model.dump();
  }
  EXPECT_EQ(projections_command("verify", dir.path()).exit_code, 0);
  const auto unknown = projections_command("rebuild", dir.path(), {"no_such_model"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no_such_model"), std::string::npos) << unknown.err;
}

TEST(Cli, BadOptionsExitNonZeroNamingTheOption) {
  const auto bad = run_process(serve_with({"--partitions", "0"}));
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE((bad.out + bad.err).find("--partitions"), std::string::npos) << bad.out << bad.err;
  const auto none = run_process({kBinary});
  EXPECT_NE(none.exit_code, 0);
  const auto unknown = run_process({kBinary, "frobnicate"});
  EXPECT_NE(unknown.exit_code, 0);
}

// ---- kafka-dev-broker ----------------------------------------------------------------------

// The partition count of `topic` as the cluster at `servers` reports it in its metadata (a
// plain librdkafka client), or -1 if it has no such topic or did not answer.
int partition_count_of(const std::string& servers, const std::string& topic) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  if (rd_kafka_conf_set(conf, "bootstrap.servers", servers.c_str(), error, sizeof error) !=
      RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    return -1;
  }
  rd_kafka_t* client = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (client == nullptr) {
    rd_kafka_conf_destroy(conf);
    return -1;
  }
  int partitions = -1;
  const rd_kafka_metadata_t* metadata = nullptr;
  if (rd_kafka_metadata(client, 1, nullptr, &metadata, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < metadata->topic_cnt; ++i) {
      if (metadata->topics[i].topic == topic && metadata->topics[i].err == 0) {
        partitions = metadata->topics[i].partition_cnt;
      }
    }
    rd_kafka_metadata_destroy(metadata);
  }
  rd_kafka_destroy(client);
  return partitions;
}

// A port that was free a moment ago; with `keep`, held (listening) until the socket is closed.
int loopback_port(int* keep = nullptr) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd, 4) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("cannot bind a loopback socket");
  }
  if (keep != nullptr) {
    *keep = fd;
  } else {
    ::close(fd);
  }
  return ntohs(address.sin_port);
}

TEST(Cli, KafkaDevBrokerServesTheEventTopicAndStopsCleanlyOnSigterm) {
  TempDir dir;
  const auto port_file = dir.path() / "broker.port";
  const auto out = dir.path() / "stdout.txt";
  // Through sh only to catch stdout in a file; exec keeps the broker the child that is signalled.
  Child broker({"/bin/sh", "-c",
                R"(exec "$0" kafka-dev-broker --port-file "$1" --partitions 3 >"$2")", kBinary,
                port_file.string(), out.string()});
  const auto servers = first_line_when_there(port_file);
  ASSERT_FALSE(servers.empty()) << "no port file";
  EXPECT_EQ(servers.rfind("127.0.0.1:", 0), 0u) << servers;
  EXPECT_EQ(first_line_when_there(out), servers);
  const auto ready = wait_for_log(broker, "kafka dev broker ready");
  ASSERT_FALSE(ready.is_null());
  EXPECT_EQ(ready.value("bootstrapServers", ""), servers);
  EXPECT_EQ(ready.value("topic", ""), "clientele.events");

  EXPECT_EQ(partition_count_of(servers, "clientele.events"), 3);

  EXPECT_EQ(broker.stop(SIGTERM), 0);
  ASSERT_FALSE(wait_for_log(broker, "stopped").is_null());
  EXPECT_FALSE(std::filesystem::exists(port_file)) << "the port file outlives the broker";
  // Nothing else was left behind (no temporary port file).
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(Cli, KafkaDevBrokerListensOnTheBootstrapPortItIsGiven) {
  const int port = loopback_port();
  Child broker({kBinary, "kafka-dev-broker", "--port", std::to_string(port), "--brokers", "2"});
  const auto ready = wait_for_log(broker, "kafka dev broker ready");
  ASSERT_FALSE(ready.is_null());
  const std::string servers = "127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(ready.value("bootstrapServers", ""), servers);
  EXPECT_EQ(ready.value("brokers", 0), 2);
  EXPECT_EQ(partition_count_of(servers, "clientele.events"), 12);
  EXPECT_EQ(broker.stop(SIGTERM), 0);
}

TEST(Cli, KafkaDevBrokerOnAPortInUseExits1NamingThePort) {
  int held = -1;
  const int port = loopback_port(&held);
  const auto run = run_process({kBinary, "kafka-dev-broker", "--port", std::to_string(port)});
  ::close(held);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("127.0.0.1:" + std::to_string(port) + " is already in use"),
            std::string::npos)
      << run.err;
  EXPECT_TRUE(run.out.empty()) << run.out;
}

TEST(Cli, KafkaDevBrokerThatCannotWriteItsPortFileExits1AndPrintsNothing) {
  TempDir dir;
  const auto run = run_process({kBinary, "kafka-dev-broker", "--port-file",
                                (dir.path() / "missing" / "broker.port").string()});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("cannot write the port file"), std::string::npos) << run.err;
  EXPECT_TRUE(run.out.empty()) << run.out;
}

TEST(Cli, KafkaDevBrokerRefusesBadOptionsWithExit2) {
  for (const std::vector<std::string>& options : {std::vector<std::string>{"--brokers", "4"},
                                                  {"--brokers", "0"},
                                                  {"--partitions", "0"},
                                                  {"--partitions", "1025"},
                                                  {"--port", "65536"}}) {
    std::vector<std::string> argv{kBinary, "kafka-dev-broker"};
    argv.insert(argv.end(), options.begin(), options.end());
    const auto run = run_process(argv);
    EXPECT_EQ(run.exit_code, 2) << options[0] << " " << options[1];
    EXPECT_NE((run.out + run.err).find(options[0]), std::string::npos) << run.out << run.err;
  }
  const auto topic = run_process({kBinary, "kafka-dev-broker", "--topic", "no spaces"});
  EXPECT_EQ(topic.exit_code, 2) << topic.err;
}

TEST(Cli, KafkaDevBrokerHelpStatesItsLimits) {
  const auto help = run_process({kBinary, "kafka-dev-broker", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* limit : {"Memory only", "5 MiB", "100k batches", "transaction markers",
                            "session.timeout.ms", "Loopback", "real Kafka in production"}) {
    EXPECT_NE(help.out.find(limit), std::string::npos) << limit << "\n" << help.out;
  }
}

// ---- benchmarks ----------------------------------------------------------------------------

// serve and replay on Kafka: the dev broker as a developer runs it, three events in its topic.
TEST(Cli, ServeAndReplayRunOnKafkaThroughTheDevBroker) {
  TempDir dir;
  DevBroker broker(dir.path());
  const auto& servers = broker.servers;
  ASSERT_FALSE(servers.empty()) << "no port file";
  {
    infra::KafkaLogOptions options;
    options.bootstrap_servers = servers;
    auto log = infra::KafkaEventLog::open(options);
    ASSERT_TRUE(log.ok()) << log.error().message;
    for (int i = 1; i <= 3; ++i) {
      events::Envelope e;
      e.id = "0194d3a2-7c41-7b3e-9f10-00000000000" + std::to_string(i);
      e.type = "customer.status-changed";
      e.stream = "customer-CUST_0000kafa";
      e.seq = StreamVersion{static_cast<std::uint64_t>(i)};
      e.customer_id = CustomerId("CUST_0000kafa");
      e.actor = Actor{UserId("staff-1"), Role::Administrator};
      e.data = {{"status", "Active"}};
      e.personal = nullptr;
      const events::EncodedEvent event{e.id, e.type, 1, events::serialize(e)};
      ASSERT_TRUE((*log)->append("CUST_0000kafa", std::span(&event, 1)).ok());
    }
  }
  const std::string event_log = "kafka://" + servers;
  const auto data = (dir.path() / "var").string();

  Child serve(serve_with({"--event-log", event_log, "--data-dir", data}));
  std::vector<json> seen;
  ASSERT_FALSE(wait_for_log(serve, "ready", &seen).is_null());
  const auto opened = std::find_if(seen.begin(), seen.end(), [](const json& line) {
    return line.value("msg", "") == "event log opened";
  });
  ASSERT_NE(opened, seen.end());
  EXPECT_EQ(opened->value("eventLog", ""), event_log);
  EXPECT_EQ(opened->value("events", 0), 3);
  EXPECT_FALSE(opened->contains("path"));
  EXPECT_EQ(serve.stop(SIGTERM), 0);

  const auto replay =
      run_process({kBinary, "replay", "--event-log", event_log, "--data-dir", data});
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  std::istringstream lines(replay.out);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    const auto j = json::parse(line);
    EXPECT_TRUE(j.at("customerId").get<std::string>().starts_with("PSN_")) << line;
    EXPECT_EQ(j.at("type"), "customer.status-changed");
  }
  EXPECT_EQ(count, 3);

  const auto bad = run_process(serve_with({"--event-log", "kafka://nohost", "--data-dir", data}));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--event-log"), std::string::npos) << bad.err;
  EXPECT_EQ(broker.child.stop(SIGTERM), 0);
}

TEST(Bench, LogAppendRunsEachModeAndPrintsOneJsonReport) {
  for (const std::string mode : {"log", "encode", "seal"}) {
    std::vector<std::string> argv{kBinary, "bench",    "log-append", "--appenders",
                                  "4",     "--events", "400"};
    if (mode != "log") argv.push_back("--" + mode);
    const auto run = run_process(argv);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto report = json::parse(run.out, nullptr, false);
    ASSERT_TRUE(report.is_object()) << run.out;
    EXPECT_EQ(report.value("scenario", ""), "log-append");
    EXPECT_EQ(report.value("mode", ""), mode);
    EXPECT_EQ(report.value("sealed", mode != "seal"), mode == "seal");
    EXPECT_EQ(report.value("appenders", 0), 4);
    EXPECT_EQ(report.value("events", 0), 400);
    EXPECT_EQ(report.value("failures", -1), 0);
    EXPECT_GT(report.value("events_per_s", 0.0), 0.0);
    EXPECT_GE(report.value("p99_ms", -1.0), report.value("p50_ms", -1.0));
    EXPECT_GE(report.value("fsyncs", 0), 1);
    EXPECT_LE(report.value("fsyncs", 0), 400);
    EXPECT_GT(report.value("payload_bytes", 0), mode == "seal" ? 500 : 300);
  }
  EXPECT_NE(run_process({kBinary, "bench", "log-append", "--encode", "--seal"}).exit_code, 0);
}

TEST(Bench, LogAppendOnKafkaMeasuresKcatOnTheSameBroker) {
  TempDir dir;
  DevBroker broker(dir.path());
  const auto& servers = broker.servers;
  ASSERT_FALSE(servers.empty()) << "no port file";
  const auto run = run_process({kBinary, "bench", "log-append", "--event-log", "kafka://" + servers,
                                "--appenders", "8", "--events", "800"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto report = json::parse(run.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << run.out;
  EXPECT_EQ(report.value("eventLog", ""), "kafka://" + servers);
  EXPECT_EQ(report.value("events", 0), 800);
  EXPECT_EQ(report.value("failures", -1), 0);
  EXPECT_FALSE(report.contains("fsyncs"));
  const auto kcat = report.value("kcat_events_per_s", 0.0);
  EXPECT_GT(kcat, 0.0) << run.out;
  EXPECT_NEAR(report.value("ratio_to_kcat", 0.0), report.value("events_per_s", 0.0) / kcat, 1e-6);
  EXPECT_EQ(broker.child.stop(SIGTERM), 0);
}

TEST(Bench, SealPrintsItsRatesAsOneJsonObject) {
  const auto run = run_process({kBinary, "bench", "seal", "--events", "2000", "--customers", "20"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto report = json::parse(run.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << run.out;
  EXPECT_EQ(report.value("scenario", ""), "seal");
  EXPECT_EQ(report.value("events", 0), 2000);
  EXPECT_EQ(report.value("customers", 0), 20);
  for (const char* rate : {"seal_per_s", "parse_per_s", "open_per_s", "parse_and_open_per_s"}) {
    EXPECT_GT(report.value(rate, 0.0), 0.0) << rate;
  }
  EXPECT_GT(report.value("payload_bytes", 0), 300);
}

TEST(Bench, ProjectRebuildsTheReadModelsAndPrintsOneJsonReport) {
  const auto run = run_process({kBinary, "bench", "project", "--events", "4000", "--queries", "20",
                                "--page", "3", "--appenders", "16"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto report = json::parse(run.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << run.out;
  EXPECT_EQ(report.value("scenario", ""), "project");
  EXPECT_EQ(report.value("events", 0), 4000);
  EXPECT_EQ(report.value("customers", 0), 1000);
  EXPECT_EQ(report.value("partitions", 0), 12);
  for (const char* figure :
       {"fill_events_per_s", "seconds", "events_per_s", "peak_rss_mb", "rss_at_rebuild_start_mb",
        "views_mb", "search_p50_ms", "search_p99_ms", "list_page_p50_ms", "list_page_p99_ms"}) {
    EXPECT_GT(report.value(figure, 0.0), 0.0) << figure;
  }
  EXPECT_GE(report.value("peak_rss_mb", 0.0), report.value("rss_at_rebuild_start_mb", 1.0));
  EXPECT_GE(report.value("search_p99_ms", 0.0), report.value("search_p50_ms", 1.0));
  EXPECT_GE(report.value("list_page_p99_ms", 0.0), report.value("list_page_p50_ms", 1.0));
  EXPECT_EQ(report.value("search_queries", 0), 20);
  EXPECT_GT(report.value("search_hits", 0), 0);
  EXPECT_EQ(report.value("list_page", 0), 3);
  EXPECT_EQ(report.value("list_queries", 0), 20);
  EXPECT_GT(report.value("list_listings", 0), 0);
}

// Events about customers that a test appends to the log while the service runs.
using Appendable = std::vector<std::pair<CustomerId, events::EncodedEvent>>;

// Registers `customers` customers in `log` now, and returns `count` of their logins, sealed, to
// append later. The keys go to the key store of the installation in `dir` (store_options), whose
// secrets this writes; the key store is closed again on return. Logins add up in the read models,
// so one folded twice (or skipped) shows when they are compared with a fresh fold.
void register_and_seal_logins(const std::filesystem::path& dir, events::EventLog& log,
                              int customers, int count, Appendable& logins) {
  auto kek = events::SecretKey::random();
  write_secret(dir / "kek", kek);
  write_secret(dir / "pepper", events::SecretKey::random());
  auto keys = infra::RocksDbKeyStore::open(dir / "var" / "keys", std::move(kek));
  ASSERT_TRUE(keys.ok());
  HistoryWriter writer(log, **keys);
  std::map<std::string, std::uint64_t> seq;
  for (int i = 0; i < customers; ++i) {
    const CustomerId id("CUST_" + std::to_string(20'000'000 + i));
    customer::Registered registered;
    registered.customer_id = id;
    registered.username = "user" + std::to_string(i);
    registered.email = "user" + std::to_string(i) + "@example.com";
    registered.first_name = "First";
    registered.last_name = "Last";
    writer.append(id, customer::Event{registered});
    seq[id.str()] = 1;
  }
  for (int n = 0; n < count; ++n) {
    const CustomerId id("CUST_" + std::to_string(20'000'000 + n % customers));
    const auto at = infra::utc_now();
    auto envelope =
        events::wrap(events::encode(customer::Event{customer::LoggedIn{
                         customer::LoginMethod::Password, "203.0.113.7", "test-agent"}}),
                     {infra::uuid_v7(at), events::stream_name(id), StreamVersion{++seq[id.str()]},
                      id, at, Actor{UserId(id.str()), Role::Customer}, "", ""});
    ASSERT_TRUE(events::seal(envelope, **keys).ok());
    logins.emplace_back(id, events::EncodedEvent{envelope.id, envelope.type, envelope.v,
                                                 events::to_wire(envelope).value()});
  }
}

// Appends events to a log one by one, about 300 µs apart, on a thread of its own, until all are
// appended or the appender is stopped.
class Appender {
 public:
  Appender(events::EventLog& log, const Appendable& events)
      : thread_([this, &log, &events] {
          for (const auto& [id, event] : events) {
            if (stop_) break;
            if (log.append(id.str(), std::span(&event, 1)).ok()) ++appended_;
            std::this_thread::sleep_for(std::chrono::microseconds(300));
          }
        }) {}
  ~Appender() { stop(); }
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;

  // Stops appending; returns how many events were appended.
  int stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return appended_;
  }
  int appended() const { return appended_; }

 private:
  std::atomic<bool> stop_{false};  // asks the thread to end
  std::atomic<int> appended_{0};   // events appended so far
  std::thread thread_;             // appends; declared last, so it starts last
};

// The Kafka log of `broker`, opened for a test.
std::unique_ptr<infra::KafkaEventLog> kafka_log(const DevBroker& broker) {
  infra::KafkaLogOptions kafka;
  kafka.bootstrap_servers = broker.servers;
  auto log = infra::KafkaEventLog::open(kafka);
  if (!log) throw std::runtime_error(log.error().message);
  return std::move(*log);
}

// Crash safety (DESIGN.md §5): the service is killed with SIGKILL at random points while events
// keep arriving; after the last restart the read models equal a fresh fold of the log — no event
// applied twice, none skipped. On Kafka, so that events can arrive while the service runs.
TEST(Cli, ReadModelsSurviveTheServiceBeingKilledWhileEventsArrive) {
  TempDir dir;
  DevBroker broker(dir.path());
  ASSERT_FALSE(broker.servers.empty());
  const auto log = kafka_log(broker);
  constexpr int kCustomers = 20, kLogins = 4000;
  Appendable logins;
  ASSERT_NO_FATAL_FAILURE(register_and_seal_logins(dir.path(), *log, kCustomers, kLogins, logins));
  Appender appender(*log, logins);

  auto serve = serve_command(dir.path());
  serve.insert(serve.begin() + 2, {"--event-log", "kafka://" + broker.servers});
  std::mt19937 random(std::random_device{}());
  for (int kill = 0; kill < 4; ++kill) {
    Child running(serve);
    ASSERT_FALSE(wait_for_log(running, "ready").is_null());
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(50, 600)(random)));
    EXPECT_EQ(running.stop(SIGKILL), 128 + SIGKILL);
  }
  const int appended = appender.stop();
  EXPECT_GT(appended, 0);
  {
    Child last(serve);
    ASSERT_FALSE(wait_for_log(last, "read models caught up").is_null());
    EXPECT_EQ(last.stop(SIGTERM), 0);
  }

  std::vector<std::string> verify{kBinary, "projections", "verify", "--event-log",
                                  "kafka://" + broker.servers};
  for (auto& option : store_options(dir.path())) verify.push_back(option);
  const auto verified = run_process(verify);
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  const auto report = json::parse(verified.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << verified.out;
  EXPECT_EQ(report["equal"], true) << report.dump();
  for (const auto& model : report["models"])
    EXPECT_EQ(model["events"], kCustomers + appended) << model.dump();
}

// ---- the CLI beside the running service (DESIGN.md §7) --------------------------------------

// The model named `name` in a status or verify report, or null.
json model_in(const json& report, const std::string& name) {
  for (const auto& model : report["models"]) {
    if (model["name"] == name) return model;
  }
  return nullptr;
}

// An installation whose log holds three events (write_three_events), in a directory of its own.
class CliOnThreeEvents : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(write_three_events(dir.path())); }

  TempDir dir;
  const std::filesystem::path data = dir.path() / "var";
};

TEST_F(CliOnThreeEvents, ProjectionsStatusVerifyAndRebuildWorkWhileTheServiceRuns) {
  Child serve(serve_command(dir.path()));
  ASSERT_FALSE(wait_for_log(serve, "read models caught up").is_null());
  EXPECT_TRUE(std::filesystem::exists(data / "admin.sock"));

  // status reads the stores the service holds, and measures the fold rate over --sample seconds:
  // nothing arrives, so nothing is folded.
  const auto status = projections_command("status", dir.path(), {"--sample", "0.5"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const auto report = json::parse(status.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << status.out;
  EXPECT_GE(report.value("sampleSeconds", 0.0), 0.5) << report.dump();
  ASSERT_EQ(report["models"].size(), kModels.size()) << report.dump();
  for (const char* name : kModels) {
    EXPECT_EQ(state_of(report, name), std::make_tuple("live", std::int64_t{0}, std::int64_t{3}))
        << name;
    EXPECT_EQ(model_in(report, name).value("eventsFoldedPerSecond", -1.0), 0.0) << name;
  }

  // verify folds afresh beside the service, into a scratch store of its own.
  const auto verified = projections_command("verify", dir.path());
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  const auto verdict = json::parse(verified.out, nullptr, false);
  ASSERT_TRUE(verdict.is_object()) << verified.out;
  EXPECT_EQ(verdict["equal"], true) << verdict.dump();
  for (const char* name : kModels) EXPECT_EQ(model_in(verdict, name)["events"], 3) << name;
  EXPECT_TRUE(no_scratch_left(data));

  // rebuild goes to the service, which rebuilds beside the live build and switches.
  const auto rebuilt = projections_command("rebuild", dir.path(), {"customer_profile"});
  ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
  EXPECT_NE(rebuilt.err.find("the running service executed the command"), std::string::npos)
      << rebuilt.err;
  EXPECT_EQ(json::parse(rebuilt.out, nullptr, false)["rebuilt"][0]["namespace"],
            "customer_profile.v1.b1")
      << rebuilt.out;
  const auto logged = wait_for_log(serve, "read model rebuilt");
  ASSERT_FALSE(logged.is_null());
  EXPECT_EQ(logged["namespace"], "customer_profile.v1.b1");

  const auto after = projections_status(dir.path());
  ASSERT_EQ(after["models"].size(), kModels.size()) << "the old build is left: " << after.dump();
  const auto profile = model_in(after, "customer_profile");
  EXPECT_EQ(profile["build"], 1) << profile.dump();
  EXPECT_EQ(state_of(after, "customer_profile"),
            std::make_tuple("live", std::int64_t{0}, std::int64_t{3}));
  EXPECT_EQ(projections_command("verify", dir.path()).exit_code, 0);

  // A request the service refuses is an error of the command.
  const auto unknown = projections_command("rebuild", dir.path());
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("name the read models"), std::string::npos) << unknown.err;

  // The service ran on throughout, stops cleanly, and takes its socket with it.
  EXPECT_EQ(serve.stop(SIGTERM), 0);
  EXPECT_FALSE(std::filesystem::exists(data / "admin.sock"));
  EXPECT_TRUE(no_scratch_left(data));
}

TEST_F(CliOnThreeEvents, WithTheServiceKilledRebuildRunsHereAndTheNextServiceReplacesTheSocket) {
  {
    Child killed(serve_command(dir.path()));
    ASSERT_FALSE(wait_for_log(killed, "read models caught up").is_null());
    EXPECT_EQ(killed.stop(SIGKILL), 128 + SIGKILL);
  }
  EXPECT_TRUE(std::filesystem::exists(data / "admin.sock")) << "no stale socket to test with";

  const auto here = projections_command("rebuild", dir.path(), {"customer_search"});
  ASSERT_EQ(here.exit_code, 0) << here.err;
  EXPECT_NE(here.err.find("no service runs"), std::string::npos) << here.err;
  EXPECT_EQ(json::parse(here.out, nullptr, false)["rebuilt"][0]["namespace"],
            "customer_search.v1.b1");

  Child serve(serve_command(dir.path()));
  ASSERT_FALSE(wait_for_log(serve, "ready").is_null());
  const auto there = projections_command("rebuild", dir.path(), {"customer_search"});
  ASSERT_EQ(there.exit_code, 0) << there.err;
  EXPECT_NE(there.err.find("the running service executed the command"), std::string::npos)
      << there.err;
  EXPECT_EQ(json::parse(there.out, nullptr, false)["rebuilt"][0]["namespace"],
            "customer_search.v1.b2");
  EXPECT_EQ(serve.stop(SIGTERM), 0);
}

// On Kafka, where events can arrive while the service runs: status shows them being folded, and
// verify, reading the read models at one moment, finds them equal to a fresh fold up to there.
TEST(Cli, ProjectionsStatusShowsTheFoldRateAndVerifyHoldsWhileEventsArrive) {
  TempDir dir;
  DevBroker broker(dir.path());
  ASSERT_FALSE(broker.servers.empty());
  auto log = kafka_log(broker);
  constexpr int kCustomers = 20;
  Appendable logins;
  ASSERT_NO_FATAL_FAILURE(register_and_seal_logins(dir.path(), *log, kCustomers, 20'000, logins));
  const std::vector<std::string> kafka{"--event-log", "kafka://" + broker.servers};
  auto command = serve_command(dir.path());
  command.insert(command.end(), kafka.begin(), kafka.end());
  Child serve(command);
  ASSERT_FALSE(wait_for_log(serve, "read models caught up").is_null());

  Appender appender(*log, logins);
  while (appender.appended() < 100) std::this_thread::sleep_for(10ms);
  auto sample = kafka;
  sample.insert(sample.end(), {"--sample", "1"});
  const auto status = projections_command("status", dir.path(), sample);
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const auto report = json::parse(status.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << status.out;
  ASSERT_EQ(report["models"].size(), kModels.size()) << report.dump();
  for (const char* name : kModels) {
    EXPECT_GT(model_in(report, name).value("eventsFoldedPerSecond", 0.0), 0.0) << report.dump();
  }

  const auto verified = projections_command("verify", dir.path(), kafka);
  const int appended = appender.stop();
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  const auto verdict = json::parse(verified.out, nullptr, false);
  ASSERT_TRUE(verdict.is_object()) << verified.out;
  EXPECT_EQ(verdict["equal"], true) << verdict.dump();
  for (const auto& model : verdict["models"]) {
    EXPECT_GT(model["events"], kCustomers) << model.dump();
    EXPECT_LE(model["events"], kCustomers + appended) << model.dump();
  }
  EXPECT_EQ(serve.stop(SIGTERM), 0);
  log.reset();  // before the broker goes
  EXPECT_EQ(broker.child.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace clientele::testing
