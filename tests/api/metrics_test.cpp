// The Prometheus text format of /metrics.

#include "api/metrics.hpp"

#include <gtest/gtest.h>

namespace clientele::api {
namespace {

using namespace std::chrono_literals;

TEST(PrometheusText, WritesFamiliesAndEscapedLabels) {
  PrometheusText out;
  out.family("x_total", "counter", "Things.");
  out.sample("x_total", {{"a", "q\"b\\c\nd"}}, 3);
  out.sample("x_total", {}, 0.25);
  EXPECT_EQ(out.text(),
            "# HELP x_total Things.\n"
            "# TYPE x_total counter\n"
            "x_total{a=\"q\\\"b\\\\c\\nd\"} 3\n"
            "x_total 0.25\n");
}

TEST(HttpMetrics, CountsAndBucketsPerMethodRouteAndStatus) {
  HttpMetrics metrics;
  metrics.observe(Method::Get, "/customers/:customerId", 200, 2ms);
  metrics.observe(Method::Get, "/customers/:customerId", 200, 300ms);
  metrics.observe(Method::Get, "/customers/:customerId", 404, 1ms);
  PrometheusText out;
  metrics.render(out);
  const auto& text = out.text();
  for (const char* line :
       {"clientele_http_requests_total{method=\"GET\",route=\"/customers/:customerId\","
        "status=\"200\"} 2\n",
        "clientele_http_requests_total{method=\"GET\",route=\"/customers/:customerId\","
        "status=\"404\"} 1\n",
        "clientele_http_request_duration_seconds_bucket{method=\"GET\",route=\"/customers/"
        ":customerId\",status=\"200\",le=\"0.0025\"} 1\n",
        "clientele_http_request_duration_seconds_bucket{method=\"GET\",route=\"/customers/"
        ":customerId\",status=\"200\",le=\"0.5\"} 2\n",
        "clientele_http_request_duration_seconds_bucket{method=\"GET\",route=\"/customers/"
        ":customerId\",status=\"200\",le=\"+Inf\"} 2\n",
        "clientele_http_request_duration_seconds_count{method=\"GET\",route=\"/customers/"
        ":customerId\",status=\"200\"} 2\n",
        "# TYPE clientele_http_request_duration_seconds histogram\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  }
}

}  // namespace
}  // namespace clientele::api
