#include "tools/bench.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "domain/order.hpp"
#include "events/codec.hpp"
#include "infra/embedded_event_log.hpp"
#include "infra/logging.hpp"
#include "infra/uuid.hpp"

namespace clientele::tools {
namespace {

using Clock = std::chrono::steady_clock;

Timestamp now_utc() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

// One command's event as the command layer will write it: an order status change, about 400
// bytes once serialized.
events::EncodedEvent make_event(const std::string& customer, std::int64_t n) {
  const Timestamp at = now_utc();
  const order::Event event = order::StatusChanged{order::Status::Processing, order::Status::Shipped,
                                                  "handed to the carrier at the north depot", at};
  auto body = events::encode(event);
  events::Envelope envelope;
  envelope.id = infra::uuid_v7(at);
  envelope.type = body.type;
  envelope.v = body.version;
  envelope.stream = fmt::format("order-ORD-2026-{:06d}", n % 1'000'000);
  envelope.seq = StreamVersion{2};
  envelope.customer_id = CustomerId(customer);
  envelope.at = at;
  envelope.actor = Actor{UserId("ADM_0001"), Role::Administrator};
  envelope.correlation_id = envelope.id;
  envelope.causation_id = envelope.id;
  envelope.data = std::move(body.data);
  envelope.personal = std::move(body.personal);
  return events::EncodedEvent{envelope.id, envelope.type, envelope.v, events::serialize(envelope)};
}

double percentile_ms(std::vector<std::int64_t>& sorted_us, double q) {
  if (sorted_us.empty()) return 0;
  const auto index = static_cast<std::size_t>(q * static_cast<double>(sorted_us.size() - 1));
  return static_cast<double>(sorted_us[index]) / 1000.0;
}

// A directory removed when the bench ends, unless the caller named one.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& requested) {
    if (!requested.empty()) {
      path_ = requested;
      return;
    }
    std::string pattern = (std::filesystem::temp_directory_path() / "clientele-bench-XXXXXX");
    path_ = ::mkdtemp(pattern.data());
    owned_ = true;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (owned_) std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;  // the directory
  bool owned_ = false;          // whether we made it (and so remove it)
};

}  // namespace

int run_log_append_bench(const LogAppendBench& bench) {
  const ScratchDir dir(bench.data_dir);
  auto opened = infra::EmbeddedEventLog::open({dir.path() / "events", bench.partitions});
  if (!opened) {
    infra::log_error("cannot open the event log", {{"error", opened.error().message}});
    return 1;
  }
  auto& log = **opened;
  const auto before = log.stats();

  // Encode every command's event first: the bench measures the log, not the JSON encoder.
  std::vector<std::vector<events::EncodedEvent>> work(static_cast<std::size_t>(bench.appenders));
  std::vector<std::string> customers;
  std::size_t payload_bytes = 0;
  for (int t = 0; t < bench.appenders; ++t) {
    customers.push_back(fmt::format("CUST_{:08x}", 0x1000u + static_cast<unsigned>(t)));
  }
  for (std::int64_t n = 0; n < bench.events; ++n) {
    const auto t = static_cast<std::size_t>(n % bench.appenders);
    work[t].push_back(make_event(customers[t], n));
    payload_bytes += work[t].back().payload.size();
  }

  std::atomic<std::int64_t> failures{0};
  std::vector<std::vector<std::int64_t>> latencies(static_cast<std::size_t>(bench.appenders));
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < work.size(); ++t) {
    threads.emplace_back([&, t] {
      auto& mine = latencies[t];
      mine.reserve(work[t].size());
      for (const auto& event : work[t]) {
        const auto t0 = Clock::now();
        const auto result = log.append(customers[t], std::span(&event, 1));
        const auto t1 = Clock::now();
        if (!result) ++failures;
        mine.push_back(std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const auto after = log.stats();

  std::vector<std::int64_t> all;
  for (const auto& per_thread : latencies)
    all.insert(all.end(), per_thread.begin(), per_thread.end());
  std::sort(all.begin(), all.end());
  const auto appended = static_cast<double>(after.events - before.events);
  const auto fsyncs = after.syncs - before.syncs;
  const nlohmann::json report{
      {"scenario", "log-append"},
      {"appenders", bench.appenders},
      {"events", after.events - before.events},
      {"failures", failures.load()},
      {"seconds", seconds},
      {"events_per_s", appended / seconds},
      {"p50_ms", percentile_ms(all, 0.50)},
      {"p99_ms", percentile_ms(all, 0.99)},
      {"max_ms", all.empty() ? 0.0 : static_cast<double>(all.back()) / 1000.0},
      {"fsyncs", fsyncs},
      {"events_per_fsync", fsyncs == 0 ? 0.0 : appended / static_cast<double>(fsyncs)},
      {"payload_bytes", all.empty() ? 0 : payload_bytes / all.size()}};
  std::cout << report.dump() << std::endl;
  return failures.load() == 0 ? 0 : 1;
}

}  // namespace clientele::tools
