#include "common/prometheus.h"

#include <gtest/gtest.h>

namespace modelhost::prometheus {
namespace {

TEST(PrometheusTest, RendersCountersGaugesAndHistograms) {
  Registry r;
  r.counter("requests_total", "Requests.", {{"model", "m"}, {"outcome", "success"}}).inc(3);
  r.counter("requests_total", "Requests.", {{"model", "m"}, {"outcome", "success"}}).inc();
  r.gauge("inflight", "In flight.").set(2);
  auto& h = r.histogram("latency_seconds", "Latency.", {{"model", "m"}}, {0.1, 1.0});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  std::string text = r.render();
  EXPECT_NE(text.find("# TYPE requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("requests_total{model=\"m\",outcome=\"success\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("inflight 2\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_bucket{model=\"m\",le=\"0.1\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_bucket{model=\"m\",le=\"1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_bucket{model=\"m\",le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_count{model=\"m\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_sum{model=\"m\"} 5.55\n"), std::string::npos);
}

TEST(PrometheusTest, EscapesLabelValues) {
  Registry r;
  r.counter("c", "C.", {{"model", "a\"b\\c"}}).inc();
  EXPECT_NE(r.render().find("c{model=\"a\\\"b\\\\c\"} 1"), std::string::npos);
}

TEST(PrometheusTest, ProcessMetricsReportMemory) {
  std::string out;
  render_process_metrics(out);
  EXPECT_NE(out.find("process_resident_memory_bytes "), std::string::npos);
  EXPECT_GT(process_resident_bytes(), 1u << 20);
}

TEST(PrometheusTest, Buckets) {
  EXPECT_EQ(power_of_two_buckets(8), (std::vector<double>{1, 2, 4, 8}));
  EXPECT_EQ(power_of_two_buckets(6), (std::vector<double>{1, 2, 4, 6}));
  EXPECT_EQ(power_of_two_buckets(1), (std::vector<double>{1}));
}

}  // namespace
}  // namespace modelhost::prometheus
