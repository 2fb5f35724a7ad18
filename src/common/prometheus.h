// Prometheus metrics: counters, gauges and histograms with fixed label sets, rendered in the
// text exposition format (version 0.0.4). Updates are lock-free; registration and rendering
// take a mutex. Metric objects live as long as the registry and never move.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace modelhost::prometheus {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(double v = 1.0) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Histogram {
 public:
  // `bounds` are the upper bounds of the buckets, increasing; +Inf is implied.
  explicit Histogram(std::vector<double> bounds);
  void observe(double v);
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative count of observations <= bounds()[i].
  uint64_t cumulative(size_t i) const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // per bucket, not cumulative
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0.0};
};

// Latency buckets from 25 µs to 10 s, in seconds.
std::vector<double> latency_buckets();
// 1, 2, 4, ... up to and including max.
std::vector<double> power_of_two_buckets(int max);

class Registry {
 public:
  // Returns the metric with this name and labels, creating it on first use. The name's help
  // text and type are fixed by the first call.
  Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& histogram(std::string_view name, std::string_view help, const Labels& labels,
                       const std::vector<double>& bounds);

  // The whole registry in the text exposition format.
  std::string render() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Series {
    Labels labels;
    Counter* counter = nullptr;
    Gauge* gauge = nullptr;
    Histogram* histogram = nullptr;
  };
  struct Family {
    std::string help;
    Type type;
    std::vector<Series> series;
  };
  Series& find_or_add(std::string_view name, std::string_view help, Type type,
                      const Labels& labels);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
  std::deque<Counter> counters_;
  std::deque<Gauge> gauges_;
  std::deque<Histogram> histograms_;
};

// Appends process_resident_memory_bytes, process_virtual_memory_bytes, process_cpu_seconds_total
// and process_start_time_seconds, read from /proc/self.
void render_process_metrics(std::string& out);
// Resident set size of this process in bytes (0 if unknown).
uint64_t process_resident_bytes();

}  // namespace modelhost::prometheus
