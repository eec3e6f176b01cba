// `clientele bench http` against a `clientele serve` started for it, as a developer runs them:
// the report's shape and counts, and the refusal to report a server that answers 429. Speed is
// the bench's business, never the tests'.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "events/crypto.hpp"
#include "tests/support/clientele.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::testing {
namespace {

using nlohmann::json;

constexpr const char* kAdminPassword = "correct horse 42";

// Runs `clientele bench http` for a second of each phase, with `more` options, against a
// `clientele serve` started for it on a new installation, with cheap password hashing (and the
// same parameters for hashing alone) and an auth rate limit of `rate` requests per second after a
// burst of `burst`; with `administrator`, the installation has boss@example.com.
Finished bench_http(const std::string& rate, const std::string& burst,
                    const std::vector<std::string>& more = {}, bool administrator = false) {
  TempDir dir;
  write_secret(dir.path() / "kek", events::SecretKey::random());
  write_secret(dir.path() / "pepper", events::SecretKey::random());
  auto serve = serve_command(dir.path());
  serve.insert(serve.end(),
               {"--argon2-ops", "1", "--argon2-memory-mib", "1", "--allow-weak-password-hashing",
                "--auth-rate", rate, "--auth-burst", burst});
  const Service service(serve, dir.path());
  if (service.address.empty())
    return {.exit_code = -1, .out = "", .err = "the service did not start"};
  if (administrator) {
    auto create =
        std::vector<std::string>{kBinary, "admin", "create", "--email", "boss@example.com"};
    for (auto& option : store_options(dir.path())) create.push_back(option);
    const auto made =
        run_process(create, std::chrono::seconds(60), std::string(kAdminPassword) + "\n");
    if (made.exit_code != 0) return made;
  }
  std::vector<std::string> bench{kBinary,
                                 "bench",
                                 "http",
                                 "--url",
                                 service.url(""),
                                 "--duration",
                                 "1",
                                 "--connections",
                                 "4",
                                 "--login-duration",
                                 "1",
                                 "--login-connections",
                                 "2",
                                 "--rounds",
                                 "2",
                                 "--argon2-ops",
                                 "1",
                                 "--argon2-memory-mib",
                                 "1",
                                 "--healthz"};
  bench.insert(bench.end(), more.begin(), more.end());
  return run_process(bench);
}

TEST(BenchHttp, DrivesMeAndLoginAndHashingAloneAndPrintsOneJsonReport) {
  const auto run = bench_http("1000000", "1000000");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto report = json::parse(run.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << run.out;
  EXPECT_EQ(report.value("scenario", ""), "http");
  EXPECT_EQ(report.value("driver", ""), "libcurl-multi");
  for (const auto& [phase, connections] : {std::pair{"healthz", 4}, {"me", 4}, {"login", 2}}) {
    const auto& figures = report.at(phase);
    EXPECT_EQ(figures.value("connections", 0), connections) << phase;
    EXPECT_GT(figures.value("requests", 0), 0) << phase;
    EXPECT_GT(figures.value("requestsPerSecond", 0.0), 0.0) << phase;
    EXPECT_GT(figures.value("seconds", 0.0), 0.0) << phase;
    EXPECT_EQ(figures.value("non2xx", -1), 0) << phase;
    EXPECT_EQ(figures.value("errors", -1), 0) << phase;
    EXPECT_EQ(figures["statuses"].value("200", 0), figures.value("requests", -1)) << phase;
    EXPECT_GE(figures.value("p99Ms", -1.0), figures.value("p50Ms", 0.0)) << phase;
    EXPECT_GE(figures.value("maxMs", -1.0), figures.value("p99Ms", 0.0)) << phase;
    // Keep-alive: one connection each, unless the server closed some.
    EXPECT_GE(figures.value("connectionsOpened", 0), connections) << phase;
  }
  EXPECT_EQ(report.value("rounds", 0), 2);
  // Two rounds of logins on two connections each: each round opens its own.
  EXPECT_GE(report["login"].value("connectionsOpened", 0), 4);
  const auto& alone = report.at("pwhashAlone");
  // As many threads as login connections, up to one per core.
  EXPECT_GE(alone.value("threads", 0), 1);
  EXPECT_LE(alone.value("threads", 0), 2);
  EXPECT_EQ(alone.value("opsLimit", 0), 1);
  EXPECT_EQ(alone.value("memoryMib", 0), 1);
  EXPECT_GT(alone.value("hashes", 0), 0);
  const auto hashes_per_second = alone.value("hashesPerSecond", 0.0);
  ASSERT_GT(hashes_per_second, 0.0);
  EXPECT_NEAR(report.value("loginVsPwhash", 0.0),
              report["login"].value("requestsPerSecond", 0.0) / hashes_per_second, 1e-9);
}

TEST(BenchHttp, RefusesToReportWhenTheServerRateLimitsItsLogins) {
  const auto run = bench_http("1", "5");
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.err.find("429"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("--auth-rate"), std::string::npos) << run.err;
  // The report is still printed, its figures showing the 429s.
  const auto report = json::parse(run.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << run.out;
  EXPECT_GT(report["login"].value("non2xx", 0), 0);
  EXPECT_EQ(report["me"].value("non2xx", -1), 0);
}

TEST(BenchHttp, WithAnAdministratorSeedsCustomersAndDrivesTheLookups) {
  ::setenv("CLIENTELE_ADMIN_PASSWORD", kAdminPassword, 1);
  const auto run = bench_http("1000000", "1000000",
                              {"--admin-email", "boss@example.com", "--customers", "30",
                               "--by-id-rate", "50", "--search-rate", "40"},
                              true);
  ::unsetenv("CLIENTELE_ADMIN_PASSWORD");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto report = json::parse(run.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << run.out;
  EXPECT_EQ(report["seed"].value("requests", 0), 30);
  EXPECT_EQ(report["seed"]["statuses"].value("201", 0), 30);
  // The seeded customers and the bench customer, all listed for the lookups.
  EXPECT_EQ(report["lookups"].value("customers", 0), 31);
  EXPECT_EQ(report["lookups"].value("ids", 0), 31);
  for (const char* phase : {"customerById", "search"}) {
    const auto& figures = report.at(phase);
    EXPECT_GT(figures.value("requests", 0), 0) << phase;
    EXPECT_EQ(figures["statuses"].value("200", 0), figures.value("requests", -1)) << phase;
    EXPECT_FALSE(figures.contains("offeredPerSecond")) << phase;  // a closed loop
  }
  // At a rate, for a second: exactly as many requests as fell due, however fast they were answered.
  for (const auto& [phase, rate] : {std::pair{"customerByIdAtRate", 50}, {"searchAtRate", 40}}) {
    const auto& figures = report.at(phase);
    EXPECT_EQ(figures.value("offeredPerSecond", 0.0), rate) << phase;
    EXPECT_EQ(figures.value("requests", 0), rate) << phase;
    EXPECT_EQ(figures["statuses"].value("200", 0), rate) << phase;
    EXPECT_EQ(figures.value("connections", 0), 4) << phase;
  }
}

TEST(BenchHttp, TheLookupsNeedTheAdministratorsPasswordInTheEnvironment) {
  ::unsetenv("CLIENTELE_ADMIN_PASSWORD");
  const auto run = bench_http("1000000", "1000000", {"--admin-email", "boss@example.com"}, true);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("CLIENTELE_ADMIN_PASSWORD"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace clientele::testing
