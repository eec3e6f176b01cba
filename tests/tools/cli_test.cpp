// The `clientele` executable, run as a separate process, as users run it.

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kBinary = CLIENTELE_BINARY;

// Reads JSON log lines until one has "msg" == `message`; every line read must be a JSON object
// with ts, level and msg. Returns that line, or null if it did not come.
json wait_for_log(Child& child, const std::string& message, std::vector<json>* seen = nullptr) {
  while (auto line = child.next_line(30s)) {
    const auto parsed = json::parse(*line, nullptr, false);
    EXPECT_TRUE(parsed.is_object()) << "not a JSON log line: " << *line;
    if (!parsed.is_object()) continue;
    EXPECT_TRUE(parsed.contains("ts") && parsed.contains("level") && parsed.contains("msg"))
        << *line;
    if (seen) seen->push_back(parsed);
    if (parsed.value("msg", "") == message) return parsed;
  }
  return nullptr;
}

TEST(Cli, ServeOpensTheEventLogLogsWhereItIsAndStopsCleanlyOnSigterm) {
  TempDir dir;
  const auto data = dir.path() / "var";
  Child serve({kBinary, "serve", "--data-dir", data.string()});
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
  Child serve({"/usr/bin/env", "CLIENTELE_DATA_DIR=" + data.string(), kBinary, "serve"});
  ASSERT_FALSE(wait_for_log(serve, "ready").is_null());
  EXPECT_TRUE(std::filesystem::exists(data / "events" / "CURRENT"));
  EXPECT_EQ(serve.stop(SIGTERM), 0);
}

TEST(Cli, ASecondServeOnTheSameDataDirectoryFailsWithAClearError) {
  TempDir dir;
  const auto data = (dir.path() / "var").string();
  Child first({kBinary, "serve", "--data-dir", data});
  ASSERT_FALSE(wait_for_log(first, "ready").is_null());
  const auto second = run_process({kBinary, "serve", "--data-dir", data});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("cannot open the event log"), std::string::npos) << second.err;
  EXPECT_EQ(first.stop(SIGTERM), 0);
}

TEST(Cli, ServeRefusesAPartitionCountThatDiffersFromTheLogs) {
  TempDir dir;
  const auto data = (dir.path() / "var").string();
  {
    Child first({kBinary, "serve", "--data-dir", data, "--partitions", "12"});
    ASSERT_FALSE(wait_for_log(first, "ready").is_null());
    ASSERT_EQ(first.stop(SIGTERM), 0);
  }
  const auto second = run_process({kBinary, "serve", "--data-dir", data, "--partitions", "6"});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("partition count cannot change"), std::string::npos) << second.err;
}

// Runs `serve` on `data` until it is ready, then stops it: a fresh installation with keys.
void serve_once(const std::filesystem::path& data) {
  Child serve({kBinary, "serve", "--data-dir", data.string()});
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
  const auto again = run_process({kBinary, "serve", "--data-dir", data.string()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("--kek-file"), std::string::npos) << again.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "var-keys" / "kek"));
}

TEST(Cli, ServeTakesTheKeyEncryptionKeyFromAFile) {
  TempDir dir;
  const auto data = dir.path() / "var";
  const auto kek = dir.path() / "kek.hex";
  std::ofstream(kek) << std::string(64, 'b') << "\n";
  Child serve({kBinary, "serve", "--data-dir", data.string(), "--kek-file", kek.string()});
  ASSERT_FALSE(wait_for_log(serve, "ready").is_null());
  EXPECT_EQ(serve.stop(SIGTERM), 0);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "var-keys" / "kek"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "var-keys" / "pepper"));
}

TEST(Cli, BadOptionsExitNonZeroNamingTheOption) {
  const auto bad = run_process({kBinary, "serve", "--partitions", "0"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE((bad.out + bad.err).find("--partitions"), std::string::npos) << bad.out << bad.err;
  const auto none = run_process({kBinary});
  EXPECT_NE(none.exit_code, 0);
  const auto unknown = run_process({kBinary, "frobnicate"});
  EXPECT_NE(unknown.exit_code, 0);
}

// ---- benchmarks ----------------------------------------------------------------------------

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

}  // namespace
}  // namespace clientele::testing
