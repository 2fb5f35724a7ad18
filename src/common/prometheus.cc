#include "common/prometheus.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

namespace modelhost::prometheus {
namespace {

void append_double(std::string& out, double v) {
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void append_label_value(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void append_labels(std::string& out, const Labels& labels, std::string_view extra_key = {},
                   std::string_view extra_value = {}) {
  if (labels.empty() && extra_key.empty()) return;
  out += '{';
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k;
    out += "=\"";
    append_label_value(out, v);
    out += '"';
  }
  if (!extra_key.empty()) {
    if (!first) out += ',';
    out += extra_key;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::observe(double v) {
  size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) -
                                 bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

uint64_t Histogram::cumulative(size_t i) const {
  uint64_t total = 0;
  for (size_t j = 0; j <= i && j <= bounds_.size(); ++j)
    total += buckets_[j].load(std::memory_order_relaxed);
  return total;
}

std::vector<double> latency_buckets() {
  return {25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3,
          10e-3, 25e-3, 50e-3,  100e-3, 250e-3, 500e-3, 1.0,  2.5, 5.0, 10.0};
}

std::vector<double> power_of_two_buckets(int max) {
  std::vector<double> out;
  for (int b = 1; b < max; b *= 2) out.push_back(b);
  out.push_back(max);
  return out;
}

Registry::Series& Registry::find_or_add(std::string_view name, std::string_view help, Type type,
                                        const Labels& labels) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{std::string(help), type, {}}).first;
  }
  for (auto& s : it->second.series) {
    if (s.labels == labels) return s;
  }
  it->second.series.push_back(Series{labels});
  return it->second.series.back();
}

Counter& Registry::counter(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mu_);
  Series& s = find_or_add(name, help, Type::kCounter, labels);
  if (!s.counter) s.counter = &counters_.emplace_back();
  return *s.counter;
}

Gauge& Registry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mu_);
  Series& s = find_or_add(name, help, Type::kGauge, labels);
  if (!s.gauge) s.gauge = &gauges_.emplace_back();
  return *s.gauge;
}

Histogram& Registry::histogram(std::string_view name, std::string_view help,
                               const Labels& labels, const std::vector<double>& bounds) {
  std::lock_guard lock(mu_);
  Series& s = find_or_add(name, help, Type::kHistogram, labels);
  if (!s.histogram) s.histogram = &histograms_.emplace_back(bounds);
  return *s.histogram;
}

std::string Registry::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  out.reserve(4096);
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + " " + family.help + "\n# TYPE " + name + " ";
    out += family.type == Type::kCounter ? "counter"
           : family.type == Type::kGauge ? "gauge"
                                         : "histogram";
    out += '\n';
    for (const auto& s : family.series) {
      if (s.counter || s.gauge) {
        out += name;
        append_labels(out, s.labels);
        out += ' ';
        append_double(out, s.counter ? s.counter->value() : s.gauge->value());
        out += '\n';
        continue;
      }
      const Histogram& h = *s.histogram;
      for (size_t i = 0; i <= h.bounds().size(); ++i) {
        std::string le;
        if (i < h.bounds().size()) {
          append_double(le, h.bounds()[i]);
        } else {
          le = "+Inf";
        }
        out += name + "_bucket";
        append_labels(out, s.labels, "le", le);
        out += ' ' + std::to_string(h.cumulative(i)) + '\n';
      }
      out += name + "_sum";
      append_labels(out, s.labels);
      out += ' ';
      append_double(out, h.sum());
      out += '\n' + name + "_count";
      append_labels(out, s.labels);
      out += ' ' + std::to_string(h.count()) + '\n';
    }
  }
  return out;
}

uint64_t process_resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

void render_process_metrics(std::string& out) {
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  uint64_t vsize_pages = 0, resident_pages = 0;
  {
    std::ifstream statm("/proc/self/statm");
    statm >> vsize_pages >> resident_pages;
  }
  double cpu_seconds = 0, start_seconds = 0;
  {
    std::ifstream stat("/proc/self/stat");
    std::string line;
    std::getline(stat, line);
    // Fields after the command name "(...)": state is field 3; utime 14, stime 15, starttime 22.
    auto close = line.rfind(')');
    if (close != std::string::npos) {
      std::istringstream rest(line.substr(close + 2));
      std::vector<std::string> f{std::istream_iterator<std::string>(rest), {}};
      if (f.size() > 19) {
        cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / ticks;
        double boot = 0;
        std::ifstream pstat("/proc/stat");
        std::string key;
        while (pstat >> key) {
          if (key == "btime") {
            pstat >> boot;
            break;
          }
        }
        start_seconds = boot + std::stod(f[19]) / ticks;
      }
    }
  }
  auto line = [&](const char* name, const char* type, const char* help, double v) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
           name + " ";
    append_double(out, v);
    out += '\n';
  };
  line("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
       static_cast<double>(resident_pages) * page);
  line("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
       static_cast<double>(vsize_pages) * page);
  line("process_cpu_seconds_total", "counter", "Total user and system CPU time in seconds.",
       cpu_seconds);
  line("process_start_time_seconds", "gauge", "Start time of the process since the epoch.",
       start_seconds);
}

}  // namespace modelhost::prometheus
