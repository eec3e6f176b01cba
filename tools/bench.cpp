#include "tools/bench.hpp"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "domain/customer.hpp"
#include "domain/order.hpp"
#include "events/codec.hpp"
#include "events/sealing.hpp"
#include "infra/clock.hpp"
#include "infra/embedded_event_log.hpp"
#include "infra/kafka_event_log.hpp"
#include "infra/logging.hpp"
#include "tools/bench_support.hpp"
#include "tools/options.hpp"

namespace clientele::tools {
namespace {

using Clock = std::chrono::steady_clock;

// One command's event for log-append: an order status change, about 400 bytes once serialized.
events::Envelope status_change(const std::string& customer, std::int64_t n) {
  const order::Event event =
      order::StatusChanged{order::Status::Processing, order::Status::Shipped,
                           "handed to the carrier at the north depot", infra::utc_now()};
  return envelope_of(events::encode(event), fmt::format("order-ORD-2026-{:06d}", n % 1'000'000), 2,
                     customer, Actor{UserId("ADM_0001"), Role::Administrator});
}

PostalAddress postal_address(std::int64_t n) {
  return PostalAddress{"Jane Example",
                       "+4915112345678",
                       fmt::format("{} Harbour Road", n % 400),
                       "Flat 2",
                       "Hamburg",
                       "HH",
                       "20457",
                       "DE"};
}

// The `k`-th event (0-based) of customer number `c`, with personal fields: its registration
// first, then addresses and orders in turn.
events::Envelope customer_event(std::int64_t c, std::int64_t k) {
  const auto customer = customer_name(c);
  const Actor actor{UserId(customer), Role::Customer};
  if (k == 0) {
    customer::Registered registered;
    registered.customer_id = CustomerId(customer);
    registered.username = fmt::format("user{}", c);
    registered.email = fmt::format("user{}@example.com", c);
    registered.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
    registered.first_name = "Jane";
    registered.last_name = "Example";
    registered.phone = "+4915112345678";
    registered.gender = customer::Gender::Female;
    return envelope_of(events::encode(customer::Event{registered}),
                       events::stream_name(CustomerId(customer)), 1, customer, actor);
  }
  if (k % 2 == 1) {
    const customer::Event added = customer::AddressAdded{
        AddressId(fmt::format("ADDR_{:04d}", k)), "home", AddressKind::Home, postal_address(k)};
    return envelope_of(events::encode(added), events::stream_name(CustomerId(customer)),
                       static_cast<std::uint64_t>(k + 1), customer, actor);
  }
  const OrderId order_id(fmt::format("ORD-2026-{:06d}", (c * 1000 + k) % 1'000'000));
  const order::Event placed =
      order::Placed{order_id,
                    CustomerId(customer),
                    {order::Item{ProductId("SKU-1001"), "Espresso beans 1 kg", 2, 1899, 3798}},
                    "EUR",
                    3798,
                    postal_address(k)};
  return envelope_of(events::encode(placed), events::stream_name(order_id), 1, customer, actor);
}

}  // namespace

// What the log under a bench has counted so far.
struct LogCounters {
  std::uint64_t events = 0;            // events appended
  std::optional<std::uint64_t> syncs;  // WAL syncs (embedded log only)
};

// The log a log-append bench writes to.
struct BenchLog {
  std::unique_ptr<events::EventLog> log;
  std::function<LogCounters()> counters;  // reads the log's counters
  std::string bootstrap;                  // Kafka's bootstrap servers; empty for embedded
};

Result<BenchLog> open_bench_log(const LogAppendBench& bench, const std::filesystem::path& dir) {
  auto bootstrap = kafka_bootstrap_of(bench.event_log);
  if (!bootstrap) return bootstrap.error();
  if (bootstrap->empty()) {
    auto log = infra::EmbeddedEventLog::open({dir / "events", bench.partitions});
    if (!log) return log.error();
    auto* raw = log->get();
    return BenchLog{std::move(*log),
                    [raw] {
                      const auto stats = raw->stats();
                      return LogCounters{stats.events, stats.syncs};
                    },
                    ""};
  }
  infra::KafkaLogOptions options;
  options.bootstrap_servers = *bootstrap;
  options.partitions = bench.partitions;
  auto log = infra::KafkaEventLog::open(options);
  if (!log) return log.error();
  auto* raw = log->get();
  return BenchLog{std::move(*log),
                  [raw] {
                    return LogCounters{raw->stats().events, {}};
                  },
                  *bootstrap};
}

// Sends `lines` ("key<TAB>payload") to `topic` with `kcat -P` (librdkafka's own command-line
// producer, fire-and-forget: the client's ceiling) and returns its messages per second, wall
// clock, start-up included. nullopt when kcat is missing or fails.
std::optional<double> kcat_events_per_s(const std::string& bootstrap, const std::string& topic,
                                        const std::vector<std::string>& lines,
                                        const std::filesystem::path& dir) {
  const auto file = dir / "kcat-input.txt";
  {
    std::ofstream out(file, std::ios::binary);
    for (const auto& line : lines) out << line << '\n';
    if (!out) return std::nullopt;
  }
  const std::vector<std::string> args{"kcat", "-P", "-b", bootstrap, "-t",
                                      topic,  "-K", "\t", "-l",      file.string()};
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const auto start = Clock::now();
  pid_t pid = 0;
  if (::posix_spawnp(&pid, "kcat", nullptr, nullptr, argv.data(), environ) != 0)
    return std::nullopt;
  int status = 0;
  ::waitpid(pid, &status, 0);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return static_cast<double>(lines.size()) / seconds;
}

int run_log_append_bench(const LogAppendBench& bench) {
  const ScratchDir dir(bench.data_dir);
  auto opened = open_bench_log(bench, dir.path());
  if (!opened) {
    infra::log_error("cannot open the event log", {{"error", opened.error().message}});
    return 1;
  }
  auto& log = *opened->log;

  // Build every command's envelope first: the bench measures serializing (and sealing) and the
  // log, not the domain encoder.
  std::vector<std::vector<events::Envelope>> work(static_cast<std::size_t>(bench.appenders));
  std::vector<std::string> customers;
  for (int t = 0; t < bench.appenders; ++t) customers.push_back(customer_name(t));
  for (std::int64_t n = 0; n < bench.events; ++n) {
    const auto t = static_cast<std::size_t>(n % bench.appenders);
    work[t].push_back(status_change(customers[t], n));
  }
  // In "log" mode every payload is ready before the clock.
  const bool prebuilt = !bench.seal && !bench.encode;
  std::vector<std::vector<std::string>> payloads(work.size());
  if (prebuilt) {
    for (std::size_t t = 0; t < work.size(); ++t) {
      for (const auto& envelope : work[t]) payloads[t].push_back(events::serialize(envelope));
    }
  }
  BenchKeys keys;
  if (bench.seal) {
    auto made = open_keys(dir.path() / "keys", customers, customers.size());
    if (!made) {
      infra::log_error("cannot open the key store", {{"error", made.error().message}});
      return 1;
    }
    keys = std::move(*made);
  }
  const auto before = opened->counters();

  std::atomic<std::int64_t> failures{0};
  std::atomic<std::uint64_t> payload_bytes{0};
  std::vector<std::vector<std::int64_t>> latencies(static_cast<std::size_t>(bench.appenders));
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < work.size(); ++t) {
    threads.emplace_back([&, t] {
      auto& mine = latencies[t];
      mine.reserve(work[t].size());
      std::uint64_t bytes = 0;
      for (std::size_t i = 0; i < work[t].size(); ++i) {
        auto& envelope = work[t][i];
        const auto t0 = Clock::now();
        auto payload = prebuilt ? Result<std::string>(std::move(payloads[t][i]))
                                : payload_of(envelope, keys.cache.get());
        if (!payload) {
          ++failures;
          continue;
        }
        bytes += payload->size();
        const events::EncodedEvent event{envelope.id, envelope.type, envelope.v,
                                         std::move(*payload)};
        const auto result = log.append(customers[t], std::span(&event, 1));
        const auto t1 = Clock::now();
        if (!result) ++failures;
        mine.push_back(std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count());
      }
      payload_bytes += bytes;
    });
  }
  for (auto& thread : threads) thread.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const auto after = opened->counters();

  std::vector<std::int64_t> all;
  for (const auto& per_thread : latencies)
    all.insert(all.end(), per_thread.begin(), per_thread.end());
  std::sort(all.begin(), all.end());
  const auto appended = static_cast<double>(after.events - before.events);
  const auto events_per_s = appended / seconds;
  nlohmann::json report{{"scenario", "log-append"},
                        {"eventLog", bench.event_log},
                        {"mode", bench.seal     ? "seal"
                                 : bench.encode ? "encode"
                                                : "log"},
                        {"appenders", bench.appenders},
                        {"events", after.events - before.events},
                        {"failures", failures.load()},
                        {"seconds", seconds},
                        {"events_per_s", events_per_s},
                        {"p50_ms", percentile_ms(all, 0.50)},
                        {"p99_ms", percentile_ms(all, 0.99)},
                        {"max_ms", all.empty() ? 0.0 : static_cast<double>(all.back()) / 1000.0},
                        {"payload_bytes", all.empty() ? 0 : payload_bytes.load() / all.size()},
                        {"sealed", bench.seal}};
  if (after.syncs) {
    const auto fsyncs = *after.syncs - before.syncs.value_or(0);
    report["fsyncs"] = fsyncs;
    report["events_per_fsync"] = fsyncs == 0 ? 0.0 : appended / static_cast<double>(fsyncs);
  }
  if (!opened->bootstrap.empty()) {
    // The same messages again, through kcat, against the same broker.
    std::vector<std::string> lines;
    for (std::size_t t = 0; t < work.size(); ++t) {
      for (const auto& envelope : work[t])
        lines.push_back(customers[t] + "\t" + events::serialize(envelope));
    }
    const auto kcat = kcat_events_per_s(opened->bootstrap, "clientele.events", lines, dir.path());
    report["kcat_events_per_s"] = kcat ? nlohmann::json(*kcat) : nlohmann::json(nullptr);
    report["ratio_to_kcat"] = kcat ? nlohmann::json(events_per_s / *kcat) : nlohmann::json(nullptr);
  }
  std::cout << report.dump() << std::endl;
  return failures.load() == 0 ? 0 : 1;
}

int run_seal_bench(const SealBench& bench) {
  const ScratchDir dir(bench.data_dir);
  std::vector<std::string> customers;
  for (std::int64_t c = 0; c < bench.customers; ++c) customers.push_back(customer_name(c));
  auto keys = open_keys(dir.path() / "keys", customers, customers.size());
  if (!keys) {
    infra::log_error("cannot open the key store", {{"error", keys.error().message}});
    return 1;
  }
  auto& cache = *keys->cache;

  std::vector<events::Envelope> envelopes;
  envelopes.reserve(static_cast<std::size_t>(bench.events));
  for (std::int64_t n = 0; n < bench.events; ++n) {
    envelopes.push_back(customer_event(n % bench.customers, n / bench.customers));
  }
  std::vector<std::string> wire(envelopes.size());
  std::int64_t failures = 0;

  auto start = Clock::now();
  for (std::size_t i = 0; i < envelopes.size(); ++i) {
    auto payload = payload_of(envelopes[i], &cache);
    if (payload) {
      wire[i] = std::move(*payload);
    } else {
      ++failures;
    }
  }
  const double seal_seconds = std::chrono::duration<double>(Clock::now() - start).count();

  // Parsing and opening are timed apart: opening is the cost sealing adds to every reader.
  std::vector<events::Envelope> parsed;
  parsed.reserve(wire.size());
  start = Clock::now();
  for (const auto& payload : wire) {
    auto envelope = events::parse_envelope(payload);
    if (envelope) {
      parsed.push_back(std::move(*envelope));
    } else {
      ++failures;
    }
  }
  const double parse_seconds = std::chrono::duration<double>(Clock::now() - start).count();

  start = Clock::now();
  for (auto& envelope : parsed) {
    if (!events::open(envelope, cache) || envelope.erased || !envelope.personal.is_object() ||
        envelope.personal.empty()) {
      ++failures;
    }
  }
  const double open_seconds = std::chrono::duration<double>(Clock::now() - start).count();

  std::uint64_t bytes = 0;
  for (const auto& payload : wire) bytes += payload.size();
  const auto count = static_cast<double>(bench.events);
  const nlohmann::json report{{"scenario", "seal"},
                              {"events", bench.events},
                              {"customers", bench.customers},
                              {"seal_per_s", count / seal_seconds},
                              {"parse_per_s", count / parse_seconds},
                              {"open_per_s", count / open_seconds},
                              {"parse_and_open_per_s", count / (parse_seconds + open_seconds)},
                              {"payload_bytes", wire.empty() ? 0 : bytes / wire.size()}};
  if (failures > 0) {
    infra::log_error("events failed to seal or to open", {{"failures", failures}});
    return 1;
  }
  std::cout << report.dump() << std::endl;
  return 0;
}

// Adds `bench http` to `bench`, its options bound to `http`.
void add_http_bench(CLI::App& bench, HttpBench& http) {
  auto* command = bench.add_subcommand(
      "http",
      "Drive a running `clientele serve` over HTTP: GET /api/v1/customers/me, then login, then "
      "argon2id alone");
  command->add_option("--url", http.url, "The server, http://HOST:PORT")
      ->required()
      ->check([](const std::string& url) {
        return url.starts_with("http://") || url.starts_with("https://")
                   ? std::string()
                   : std::string("must be http://HOST:PORT");
      });
  command->add_option("--connections", http.connections, "Keep-alive connections reading me")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  command->add_option("--duration", http.duration, "Seconds of reading me")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  command->add_flag("--healthz", http.healthz,
                    "First drive GET /healthz as long: the server's and the driver's ceiling");
  command
      ->add_option("--login-connections", http.login_connections,
                   "Connections logging in (0: four per core); as many threads hash alone, "
                   "up to one per core")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  command
      ->add_option("--login-duration", http.login_duration,
                   "Seconds of logging in, and of hashing alone")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  command
      ->add_option("--rounds", http.rounds,
                   "Logins and hashing alone take turns this many times, login-duration / rounds "
                   "seconds each, so that a machine whose speed drifts skews both alike")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  command
      ->add_option("--argon2-ops", http.argon2_ops,
                   "Passes of argon2id for hashing alone: the server's --argon2-ops")
      ->check(CLI::Range(1ULL, 100ULL))
      ->capture_default_str();
  command
      ->add_option("--argon2-memory-mib", http.argon2_memory_mib,
                   "MiB of argon2id for hashing alone: the server's --argon2-memory-mib")
      ->check(CLI::Range(std::size_t{1}, std::size_t{4096}))
      ->capture_default_str();
  command->add_option("--admin-email", http.admin_email,
                      "An administrator (password in CLIENTELE_ADMIN_PASSWORD): also drive GET "
                      "/api/v1/customers/{id} and GET /api/v1/customers/search");
  command
      ->add_option("--customers", http.customers,
                   "Customers to register first, for the lookups (their names are made to be "
                   "searched); start the server with cheap hashing and a high --auth-rate")
      ->check(CLI::Range(0, 10'000'000))
      ->capture_default_str();
  command
      ->add_option("--by-id-rate", http.by_id_rate,
                   "Then drive GET /api/v1/customers/{id} at this many requests per second "
                   "(customerByIdAtRate: latency counted from when each request was due)")
      ->check(CLI::Range(0.0, 1e6));
  command
      ->add_option("--search-rate", http.search_rate,
                   "Then drive GET /api/v1/customers/search at this many requests per second "
                   "(searchAtRate)")
      ->check(CLI::Range(0.0, 1e6));
}

CLI::App* add_bench_command(CLI::App& app, BenchOptions& options) {
  auto* bench = app.add_subcommand("bench", "Run a benchmark scenario; prints one JSON object");
  bench->require_subcommand(1);
  auto& append = options.log_append;
  auto* log_append = bench->add_subcommand(
      "log-append", "Durable appends of one ~400-byte event from concurrent appenders");
  log_append->add_option("--appenders", append.appenders, "Concurrent appenders")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  log_append->add_option("--events", append.events, "Commands to append in all")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100'000'000}))
      ->capture_default_str();
  log_append->add_option("--partitions", append.partitions, "Partitions of the log")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  add_event_log_option(*log_append, append.event_log);
  log_append->add_option("--data-dir", append.data_dir,
                         "Directory for the log (default: a scratch directory, removed)");
  auto* encode = log_append->add_flag("--encode", append.encode,
                                      "Serialize each envelope in the timed loop (else before it)");
  log_append
      ->add_flag("--seal", append.seal,
                 "Seal each event with its customer's key and serialize it in the timed loop")
      ->excludes(encode);

  auto& seal = options.seal;
  auto* seal_cmd = bench->add_subcommand(
      "seal", "Seal, then parse and open, customer, address and order events on one thread");
  seal_cmd->add_option("--events", seal.events, "Events to seal and open")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100'000'000}))
      ->capture_default_str();
  seal_cmd->add_option("--customers", seal.customers, "Customers they are about (one key each)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{10'000'000}))
      ->capture_default_str();
  seal_cmd->add_option("--data-dir", seal.data_dir,
                       "Directory for the key store (default: a scratch directory, removed)");

  auto& project = options.project;
  auto* project_cmd = bench->add_subcommand(
      "project",
      "Fill the log with customer events, time a rebuild of every read model, then time search "
      "and deep list-page queries");
  project_cmd->add_option("--events", project.events, "Customer events in the log (4 a customer)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100'000'000}))
      ->capture_default_str();
  project_cmd->add_option("--partitions", project.partitions, "Partitions of the log")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  project_cmd->add_option("--appenders", project.appenders, "Threads filling the log")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  project_cmd
      ->add_option("--workers", project.workers, "Projector worker threads (0: one per core)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  project_cmd
      ->add_option("--batch-events", project.batch_events,
                   "Most events in one projector batch (0: the service's default)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1'000'000}))
      ->capture_default_str();
  project_cmd->add_option("--key-cache", project.key_cache, "Customers' keys the rebuild caches")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000'000}))
      ->capture_default_str();
  project_cmd->add_option("--queries", project.queries, "Timed queries of each kind")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{10'000'000}))
      ->capture_default_str();
  project_cmd->add_option("--page", project.page, "The list page timed (1-based)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000}))
      ->capture_default_str();
  project_cmd->add_option("--page-size", project.page_size, "Customers per list page")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000}))
      ->capture_default_str();
  project_cmd->add_option(
      "--data-dir", project.data_dir,
      "Directory for the log and the read models (default: a scratch directory, removed)");
  project_cmd->add_option("--keys-dir", project.keys_dir,
                          "Directory for the key store (default: a scratch directory on /dev/shm, "
                          "removed)");
  add_http_bench(*bench, options.http);
  return bench;
}

int run_bench(const CLI::App& bench, const BenchOptions& options) {
  if (bench.get_subcommand("log-append")->parsed()) return run_log_append_bench(options.log_append);
  if (bench.get_subcommand("seal")->parsed()) return run_seal_bench(options.seal);
  if (bench.get_subcommand("project")->parsed()) return run_project_bench(options.project);
  if (bench.get_subcommand("http")->parsed()) return run_http_bench(options.http);
  return 2;
}

}  // namespace clientele::tools
