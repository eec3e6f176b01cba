#include "api/metrics.hpp"

#include <fmt/format.h>

namespace clientele::api {
namespace {

// A label value as the text format wants it: backslash, double quote and newline escaped.
std::string escaped(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
  text_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void PrometheusText::sample(std::string_view name, const Labels& labels, double value) {
  text_ += name;
  if (!labels.empty()) {
    text_ += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) text_ += ',';
      text_ += fmt::format("{}=\"{}\"", labels[i].first, escaped(labels[i].second));
    }
    text_ += '}';
  }
  text_ += fmt::format(" {}\n", value);
}

void HttpMetrics::observe(Method method, std::string_view route, int status,
                          std::chrono::steady_clock::duration elapsed) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  std::lock_guard lock(mu_);
  auto& series = series_[Key{std::string(to_string(method)), std::string(route), status}];
  ++series.count;
  series.seconds += seconds;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++series.le[i];
  }
}

void HttpMetrics::render(PrometheusText& out) const {
  std::map<Key, Series> series;
  {
    std::lock_guard lock(mu_);
    series = series_;
  }
  out.family("clientele_http_requests_total", "counter",
             "HTTP requests answered, by method, route template and status.");
  for (const auto& [key, s] : series) {
    const auto& [method, route, status] = key;
    out.sample("clientele_http_requests_total",
               {{"method", method}, {"route", route}, {"status", std::to_string(status)}},
               static_cast<double>(s.count));
  }
  out.family("clientele_http_request_duration_seconds", "histogram",
             "Time from a request's first byte to its answer, by method, route template and "
             "status.");
  for (const auto& [key, s] : series) {
    const auto& [method, route, status] = key;
    Labels labels{{"method", method}, {"route", route}, {"status", std::to_string(status)}};
    labels.emplace_back("le", "");
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      labels.back().second = fmt::format("{}", kBuckets[i]);
      out.sample("clientele_http_request_duration_seconds_bucket", labels,
                 static_cast<double>(s.le[i]));
    }
    labels.back().second = "+Inf";
    out.sample("clientele_http_request_duration_seconds_bucket", labels,
               static_cast<double>(s.count));
    labels.pop_back();
    out.sample("clientele_http_request_duration_seconds_sum", labels, s.seconds);
    out.sample("clientele_http_request_duration_seconds_count", labels,
               static_cast<double>(s.count));
  }
  out.family("clientele_http_requests_in_flight", "gauge",
             "Requests begun and not yet answered, this one included.");
  out.sample("clientele_http_requests_in_flight", {}, static_cast<double>(in_flight_.load()));
}

}  // namespace clientele::api
