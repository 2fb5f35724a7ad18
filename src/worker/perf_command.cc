// `modelhost perf`: load a model, show what the graph passes did, and time the engine alone.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>
#include <set>

#include "common/flags.h"
#include "engine/exec/session.h"
#include "worker/cli.h"

namespace modelhost::worker {
namespace {

// Fills a tensor with deterministic pseudo-random values: floats in [0, 1), integers 0 (valid
// token ids and indices), booleans true.
engine::Tensor make_input(const engine::TensorInfo& info, int64_t batch, std::mt19937& rng) {
  engine::Shape shape = info.shape;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] < 0) shape[d] = d == 0 ? batch : 1;
  }
  engine::Tensor t = engine::Tensor::allocate(info.dtype, shape);
  std::uniform_real_distribution<float> uniform(0.f, 1.f);
  if (info.dtype == engine::DataType::kFloat32) {
    float* p = t.mutable_data<float>();
    for (int64_t i = 0; i < t.num_elements(); ++i) p[i] = uniform(rng);
  } else if (info.dtype == engine::DataType::kFloat64) {
    double* p = t.mutable_data<double>();
    for (int64_t i = 0; i < t.num_elements(); ++i) p[i] = uniform(rng);
  } else if (info.dtype == engine::DataType::kBool) {
    bool* p = t.mutable_data<bool>();
    for (int64_t i = 0; i < t.num_elements(); ++i) p[i] = true;
  }
  return t;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

void print_op_table(const engine::ModelMetadata& md) {
  std::set<std::string> ops;
  for (const auto& [op, n] : md.op_counts) ops.insert(op);
  for (const auto& p : md.passes) {
    for (const auto& [op, n] : p.op_counts) ops.insert(op);
  }
  std::printf("%-24s %10s", "op", "loaded");
  for (const auto& p : md.passes) std::printf(" %22s", p.name.c_str());
  std::printf("\n");
  auto count = [](const std::map<std::string, int64_t>& m, const std::string& op) {
    auto it = m.find(op);
    return it == m.end() ? int64_t{0} : it->second;
  };
  for (const auto& op : ops) {
    std::printf("%-24s %10lld", op.c_str(), static_cast<long long>(count(md.op_counts, op)));
    for (const auto& p : md.passes) {
      std::printf(" %22lld", static_cast<long long>(count(p.op_counts, op)));
    }
    std::printf("\n");
  }
  int64_t total = 0;
  for (const auto& [op, n] : md.op_counts) total += n;
  std::printf("%-24s %10lld", "total nodes", static_cast<long long>(total));
  for (const auto& p : md.passes) std::printf(" %22lld", static_cast<long long>(p.nodes_after));
  std::printf("\n");
}

}  // namespace

int perf_command(const std::vector<std::string_view>& args) {
  std::string model;
  int64_t threads = 1, iterations = 100, warmup = 10, batch = 1;
  bool no_optimize = false;
  Flags f("modelhost perf",
          "Loads a model, prints the op counts before and after each graph pass, and times "
          "Session::run on generated inputs (engine only, no HTTP).");
  f.add_string("model", "PATH", "ONNX model file", &model, true);
  f.add_int("threads", "T", "intra-op threads", &threads, 0, 256);
  f.add_int("iterations", "N", "timed runs", &iterations, 1, 1'000'000);
  f.add_int("warmup", "N", "untimed runs first", &warmup, 0, 1'000'000);
  f.add_int("batch", "B", "value for a variable leading dim (other variable dims get 1)", &batch,
            1, 1 << 20);
  f.add_bool("no-optimize", "skip the graph passes", &no_optimize);
  if (Status s = f.parse(args); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 2;
  }
  if (f.help_requested()) {
    std::cout << f.usage();
    return 0;
  }
  engine::SessionOptions options;
  options.intra_op_threads = static_cast<int>(threads);
  options.optimize = !no_optimize;
  auto session = engine::Session::create(model, options);
  if (!session.ok()) {
    std::cerr << "error: " << session.status().message() << "\n";
    return 1;
  }
  const auto& md = (*session)->metadata();
  std::printf("model %s: opset %lld, producer \"%s\"\n\n", model.c_str(),
              static_cast<long long>(md.opset), md.producer_name.c_str());
  print_op_table(md);

  std::mt19937 rng(42);
  std::vector<engine::Tensor> inputs;
  for (const auto& in : (*session)->signature().inputs) inputs.push_back(make_input(in, batch, rng));
  for (int64_t i = 0; i < warmup; ++i) {
    auto r = (*session)->run(inputs);
    if (!r.ok()) {
      std::cerr << "error: run failed: " << r.status().message() << "\n";
      return 1;
    }
  }
  std::vector<double> ms;
  ms.reserve(static_cast<size_t>(iterations));
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < iterations; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = (*session)->run(inputs);
    const auto t1 = std::chrono::steady_clock::now();
    if (!r.ok()) {
      std::cerr << "error: run failed: " << r.status().message() << "\n";
      return 1;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  const double total_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("\nbatch %lld, %lld threads, %lld runs: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, "
              "%.1f runs/s, %.1f rows/s\n",
              static_cast<long long>(batch), static_cast<long long>(threads),
              static_cast<long long>(iterations), percentile(ms, 50), percentile(ms, 90),
              percentile(ms, 99), static_cast<double>(iterations) / total_s,
              static_cast<double>(iterations * batch) / total_s);
  return 0;
}

}  // namespace modelhost::worker
