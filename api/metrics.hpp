#pragma once
// Metrics in the Prometheus text exposition format (version 0.0.4), served on GET /metrics.
// Labels never carry personal data: routes are labelled by their template
// ("/api/v1/customers/:customerId"), never by the path requested.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "api/http.hpp"

namespace clientele::api {

// The Content-Type of the text format.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

using Labels = std::vector<std::pair<std::string_view, std::string>>;

// Writes the text format: a family's HELP and TYPE lines, then its samples.
class PrometheusText {
 public:
  // Starts family `name` of `type` (counter, gauge, histogram).
  void family(std::string_view name, std::string_view type, std::string_view help);
  // One sample; label values are escaped as the format requires.
  void sample(std::string_view name, const Labels& labels, double value);

  const std::string& text() const { return text_; }

 private:
  std::string text_;  // written so far
};

// Requests answered, by method, route template and status: a counter and a latency histogram.
// Thread-safe.
class HttpMetrics {
 public:
  // The histogram's bucket bounds, in seconds.
  static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,   0.25,   0.5,   1,    2.5};

  // Counts one answer to a request that took `elapsed`, from its first byte to its answer.
  void observe(Method method, std::string_view route, int status,
               std::chrono::steady_clock::duration elapsed);

  // Counts requests begun and not yet answered and written: +1 when one begins, -1 when done.
  void add_in_flight(std::int64_t delta) { in_flight_ += delta; }

  // Appends clientele_http_requests_total, clientele_http_request_duration_seconds and
  // clientele_http_requests_in_flight.
  void render(PrometheusText& out) const;

 private:
  struct Series {
    std::uint64_t count = 0;
    double seconds = 0;                               // the sum of the latencies
    std::array<std::uint64_t, kBuckets.size()> le{};  // answers within each bound
  };
  using Key = std::tuple<std::string, std::string, int>;  // method, route template, status

  mutable std::mutex mu_;
  std::map<Key, Series> series_;            // guarded by mu_
  std::atomic<std::int64_t> in_flight_{0};  // requests begun and not yet done
};

}  // namespace clientele::api
