// `modelhost perf`: load a model, show what the graph passes did, and time the engine alone (no
// HTTP): latency percentiles, throughput, memory and where the time goes per op type.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <new>
#include <optional>
#include <random>
#include <set>

#include "common/flags.h"
#include "engine/exec/session.h"
#include "worker/cli.h"
#include "worker/device_flags.h"

namespace modelhost::worker {
namespace {

namespace json = boost::json;

struct PerfConfig {
  std::string model;
  std::vector<std::string> shapes;  // raw --shape values, NAME:D1,D2,...
  int64_t threads = 1, iterations = 100, warmup = 10, batch = 1, seq = 1, profile_runs = 10;
  bool batch_given = false, seq_given = false;
  bool no_optimize = false, json = false, compare_cpu = false, no_graphs = false;
  std::string device = "cpu", precision = "fp32";
};

// A parsed --shape value.
struct ShapeSpec {
  std::string text;  // as given, for errors
  std::string name;
  engine::Shape dims;
};

// The shape picked for each input and why, for the printout.
struct ResolvedInput {
  engine::TensorInfo info;
  engine::Shape shape;
  std::string source;  // "--shape", "model", or which flags filled open dims
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// "sequence", "seq", "sequence_length", "decoder_seq_len", ...
bool looks_like_sequence(std::string_view dim_param) { return contains(lower(dim_param), "seq"); }

bool is_integer(engine::DataType dt) {
  using engine::DataType;
  switch (dt) {
    case DataType::kInt8:
    case DataType::kUInt8:
    case DataType::kInt16:
    case DataType::kUInt16:
    case DataType::kInt32:
    case DataType::kUInt32:
    case DataType::kInt64:
    case DataType::kUInt64:
      return true;
    default:
      return false;
  }
}

Status flag_error(std::string_view flag, std::string_view value, const std::string& msg) {
  return invalid_argument("flag --" + std::string(flag) + " \"" + std::string(value) +
                          "\": " + msg);
}

// NAME:D1,D2,... The name may itself contain ':' (TensorFlow exports use "x:0"), so the dims
// start after the last one. "NAME:" alone is a scalar.
Result<ShapeSpec> parse_shape_flag(const std::string& text) {
  ShapeSpec spec;
  spec.text = text;
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return flag_error("shape", text, "expected NAME:D1,D2,... (e.g. input_ids:1,128)");
  }
  spec.name = text.substr(0, colon);
  std::string_view dims = std::string_view(text).substr(colon + 1);
  while (!dims.empty()) {
    const size_t comma = dims.find(',');
    std::string_view d = dims.substr(0, comma);
    auto v = parse_int(d, 1, int64_t{1} << 40);
    if (!v.ok()) {
      return flag_error("shape", text, "dim \"" + std::string(d) + "\" is not a positive integer");
    }
    spec.dims.push_back(*v);
    if (comma == std::string_view::npos) break;
    dims.remove_prefix(comma + 1);
    if (dims.empty()) return flag_error("shape", text, "empty dim after the last ','");
  }
  return spec;
}

// Splits off what Flags cannot express: the positional model path and the repeatable --shape.
Status parse_perf_args(const std::vector<std::string_view>& args, PerfConfig& cfg, Flags& f) {
  std::vector<std::string_view> rest;
  std::string positional;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "--shape") {
      if (i + 1 >= args.size()) {
        return invalid_argument("flag --shape needs a value NAME:D1,D2,...");
      }
      cfg.shapes.emplace_back(args[++i]);
    } else if (a.substr(0, 8) == "--shape=") {
      cfg.shapes.emplace_back(a.substr(8));
    } else if (a.size() > 1 && a[0] == '-') {
      rest.push_back(a);
      const bool takes_value = a.find('=') == std::string_view::npos && a != "--no-optimize" &&
                               a != "--json" && a != "--help" && a != "-h";
      if (takes_value && i + 1 < args.size()) rest.push_back(args[++i]);
      if (a == "--batch" || a.substr(0, 8) == "--batch=") cfg.batch_given = true;
      if (a == "--seq" || a.substr(0, 6) == "--seq=") cfg.seq_given = true;
    } else if (!positional.empty()) {
      return invalid_argument("unexpected argument \"" + std::string(a) + "\": the model is " +
                              "already given (\"" + positional + "\")");
    } else {
      positional = std::string(a);
    }
  }
  RETURN_IF_ERROR(f.parse(rest));
  if (!positional.empty()) {
    if (!cfg.model.empty() && cfg.model != positional) {
      return invalid_argument("the model is given twice: \"" + positional + "\" and --model \"" +
                              cfg.model + "\"");
    }
    cfg.model = positional;
  }
  return Status();
}

std::string describe_info(const engine::TensorInfo& info) {
  return std::string(engine::dtype_name(info.dtype)) + " " + engine::shape_to_string(info.shape);
}

// Picks every input's shape: --shape as given, else the model's dims with open dims filled from
// --batch (leading dim), --seq (a dim whose name looks like a sequence, or the second dim of an
// integer input) and 1 for the rest. Errors name the flag and the input.
Result<std::vector<ResolvedInput>> resolve_shapes(const engine::Session& session,
                                                  const PerfConfig& cfg) {
  const auto& inputs = session.signature().inputs;
  const auto& dim_params = session.metadata().input_dim_params;
  std::map<std::string, ShapeSpec> given;
  for (const auto& text : cfg.shapes) {
    ASSIGN_OR_RETURN(ShapeSpec spec, parse_shape_flag(text));
    auto it = std::find_if(inputs.begin(), inputs.end(),
                           [&](const engine::TensorInfo& t) { return t.name == spec.name; });
    if (it == inputs.end()) {
      std::string names;
      for (const auto& t : inputs) names += (names.empty() ? "" : ", ") + t.name;
      return flag_error("shape", text,
                        "the model has no input \"" + spec.name + "\"; its inputs are: " + names);
    }
    if (given.count(spec.name)) {
      return flag_error("shape", text, "input \"" + spec.name + "\" already has a --shape");
    }
    // A model that declares no dims at all leaves the rank open too.
    const bool declared = !it->shape.empty() || dim_params.count(it->name) != 0;
    if (declared && spec.dims.size() != it->shape.size()) {
      return flag_error("shape", text,
                        "input \"" + spec.name + "\" has rank " + std::to_string(it->shape.size()) +
                            " (" + describe_info(*it) + "), got " +
                            std::to_string(spec.dims.size()) + " dims");
    }
    for (size_t d = 0; declared && d < spec.dims.size(); ++d) {
      if (it->shape[d] >= 0 && it->shape[d] != spec.dims[d]) {
        return flag_error("shape", text,
                          "dim " + std::to_string(d) + " of input \"" + spec.name +
                              "\" is fixed to " + std::to_string(it->shape[d]) + " by the model (" +
                              describe_info(*it) + "), got " + std::to_string(spec.dims[d]));
      }
    }
    given.emplace(spec.name, std::move(spec));
  }

  std::vector<ResolvedInput> out;
  bool batch_used = false, seq_used = false, seq_fixed_match = false;
  for (const auto& info : inputs) {
    ResolvedInput r{info, info.shape, "model"};
    auto params_it = dim_params.find(info.name);
    std::set<std::string> filled;
    for (size_t d = 0; d < r.shape.size(); ++d) {
      if (r.shape[d] >= 0) {
        if (d == 1 && r.shape[d] == cfg.seq) seq_fixed_match = true;
        continue;
      }
      const std::string param =
          params_it != dim_params.end() && d < params_it->second.size() ? params_it->second[d] : "";
      if (looks_like_sequence(param) || (d == 1 && is_integer(info.dtype))) {
        r.shape[d] = cfg.seq;
        seq_used = true;
        filled.insert("--seq");
      } else if (d == 0) {
        r.shape[d] = cfg.batch;
        batch_used = true;
        filled.insert("--batch");
      } else {
        r.shape[d] = 1;
        filled.insert("open dims 1");
      }
    }
    for (const auto& s : filled) r.source = (r.source == "model" ? "" : r.source + ", ") + s;
    // --shape wins; the flags it overrides still count as used (they fit the model).
    if (auto g = given.find(info.name); g != given.end()) {
      r.shape = g->second.dims;
      r.source = "--shape";
    }
    out.push_back(std::move(r));
  }

  std::string all;
  for (const auto& r : out)
    all += (all.empty() ? "" : ", ") + r.info.name + " " + describe_info(r.info);
  const int64_t leading = !out.empty() && !out[0].shape.empty() ? out[0].shape[0] : 1;
  if (cfg.batch_given && !batch_used && cfg.batch != leading) {
    return invalid_argument("flag --batch " + std::to_string(cfg.batch) +
                            ": no input has an open leading dim to set (" + all +
                            "); give shapes with --shape NAME:D1,D2,...");
  }
  if (cfg.seq_given && !seq_used && !seq_fixed_match) {
    return invalid_argument("flag --seq " + std::to_string(cfg.seq) +
                            ": no input has an open sequence dim to set (" + all +
                            "); give shapes with --shape NAME:D1,D2,...");
  }
  for (const auto& r : out) {
    if (auto n = engine::checked_num_elements(r.shape, engine::dtype_size(r.info.dtype)); !n.ok()) {
      return invalid_argument("input \"" + r.info.name + "\" " + engine::shape_to_string(r.shape) +
                              ": " + n.status().message());
    }
  }
  return out;
}

uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const int32_t exp = static_cast<int32_t>((x >> 23) & 0xff) - 127 + 15;
  if (exp <= 0) return static_cast<uint16_t>(sign);  // tiny values flush to zero
  if (exp >= 31) return static_cast<uint16_t>(sign | 0x7c00u);
  return static_cast<uint16_t>(sign | (static_cast<uint32_t>(exp) << 10) | ((x >> 13) & 0x3ffu));
}

template <typename T>
void fill_integers(engine::Tensor& t, const std::string& name, std::mt19937& rng) {
  T* p = t.mutable_data<T>();
  const int64_t n = t.num_elements();
  const std::string lname = lower(name);
  if (contains(lname, "mask")) {
    std::fill(p, p + n, T{1});
  } else if (contains(lname, "token_type") || contains(lname, "segment")) {
    std::fill(p, p + n, T{0});
  } else if (contains(lname, "position")) {
    const int64_t last = t.shape().empty() ? 1 : std::max<int64_t>(1, t.shape().back());
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(i % last);
  } else {
    // Token-id-like: small, valid for any vocabulary of at least 100 entries.
    std::uniform_int_distribution<int> ids(0, 99);
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(ids(rng));
  }
}

// Deterministic pseudo-random values: floats uniform in [0, 1); integers token-id-like in
// [0, 100), except attention masks (1), token type / segment ids (0) and position ids (0, 1, ...
// along the last dim); booleans true.
engine::Tensor make_input(const ResolvedInput& in, std::mt19937& rng) {
  using engine::DataType;
  engine::Tensor t = engine::Tensor::allocate(in.info.dtype, in.shape);
  std::uniform_real_distribution<float> uniform(0.f, 1.f);
  const int64_t n = t.num_elements();
  switch (in.info.dtype) {
    case DataType::kFloat32:
      for (float* p = t.mutable_data<float>(); p != t.mutable_data<float>() + n; ++p) {
        *p = uniform(rng);
      }
      break;
    case DataType::kFloat64:
      for (double* p = t.mutable_data<double>(); p != t.mutable_data<double>() + n; ++p) {
        *p = uniform(rng);
      }
      break;
    case DataType::kFloat16:
    case DataType::kBFloat16: {
      auto* p = static_cast<uint16_t*>(t.mutable_raw_data());
      for (int64_t i = 0; i < n; ++i) {
        const float v = uniform(rng);
        uint32_t bits;
        std::memcpy(&bits, &v, 4);
        p[i] = in.info.dtype == DataType::kFloat16 ? float_to_half(v)
                                                   : static_cast<uint16_t>(bits >> 16);
      }
      break;
    }
    case DataType::kInt8:
      fill_integers<int8_t>(t, in.info.name, rng);
      break;
    case DataType::kUInt8:
      fill_integers<uint8_t>(t, in.info.name, rng);
      break;
    case DataType::kInt16:
      fill_integers<int16_t>(t, in.info.name, rng);
      break;
    case DataType::kUInt16:
      fill_integers<uint16_t>(t, in.info.name, rng);
      break;
    case DataType::kInt32:
      fill_integers<int32_t>(t, in.info.name, rng);
      break;
    case DataType::kUInt32:
      fill_integers<uint32_t>(t, in.info.name, rng);
      break;
    case DataType::kInt64:
      fill_integers<int64_t>(t, in.info.name, rng);
      break;
    case DataType::kUInt64:
      fill_integers<uint64_t>(t, in.info.name, rng);
      break;
    case DataType::kBool:
      std::fill(t.mutable_data<bool>(), t.mutable_data<bool>() + n, true);
      break;
    default:
      break;
  }
  return t;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

constexpr double kKiB = 1024.0;

// Peak resident set of this process so far (Linux reports ru_maxrss in KiB).
double peak_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / kKiB;
}

// Resident set now, from /proc/self/statm (pages); 0 where that file does not exist.
double current_rss_mib() {
  std::ifstream statm("/proc/self/statm");
  long long size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / kKiB / kKiB;
}

struct Measurement {
  std::vector<ResolvedInput> inputs;
  int64_t rows = 1;  // leading dim of the first input: what one run infers
  double load_ms = 0;
  std::vector<double> run_ms;
  double timed_s = 0;
  double rss_after_load = 0, rss_before_timed = 0, rss_after_timed = 0, peak_rss = 0;
  engine::MemoryStats engine_memory;  // weights and the run arenas, after the timed runs
  engine::OpProfile profile;
  // --compare-cpu: each output against the CPU engine's on the same inputs.
  struct Diff {
    std::string output;
    double max_abs = 0, max_rel = 0, mean_abs = 0;
    bool comparable = true;  // false: not float32, or shapes differ (`note` says which)
    std::string note;
  };
  std::vector<Diff> diffs;
};

struct OpRow {
  std::string op;
  double total_ms, ms_per_run, percent, calls_per_run;
};

// Op types by time, plus "(executor)" for what the executor spent outside kernels.
std::vector<OpRow> op_rows(const engine::OpProfile& p) {
  std::vector<OpRow> rows;
  if (p.runs == 0) return rows;
  const double runs = static_cast<double>(p.runs);
  double in_ops = 0;
  auto pct = [&](double ms) { return p.run_ms > 0 ? 100.0 * ms / p.run_ms : 0.0; };
  for (const auto& [op, t] : p.by_op_type) {
    rows.push_back(
        {op, t.total_ms, t.total_ms / runs, pct(t.total_ms), static_cast<double>(t.calls) / runs});
    in_ops += t.total_ms;
  }
  std::sort(rows.begin(), rows.end(), [](const OpRow& a, const OpRow& b) {
    return a.total_ms != b.total_ms ? a.total_ms > b.total_ms : a.op < b.op;
  });
  const double other = std::max(0.0, p.run_ms - in_ops);
  rows.push_back({"(executor)", other, other / runs, pct(other), 0});
  return rows;
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

// "[batch,sequence,768]": a dim known only at run time shows its symbol, or "?".
std::string inferred_shape_string(const engine::ModelMetadata::InferredShape& s) {
  if (!s.has_shape) return "(rank known only at run time)";
  std::string out = "[";
  for (size_t i = 0; i < s.shape.size(); ++i) {
    if (i > 0) out += ",";
    out += s.shape[i] >= 0 ? std::to_string(s.shape[i])
                           : (s.symbols[i].empty() ? std::string("?") : s.symbols[i]);
  }
  return out + "]";
}

// Where the nodes ran, for a session on a device: the CPU nodes grouped by op type and reason.
void print_placement(const engine::ModelMetadata::Placement& p) {
  if (p.device.empty()) return;
  std::printf(
      "\nplacement on %s: %lld nodes on the device, %zu on the CPU, %zu copies per run, "
      "%lld weights uploaded (%.1f MiB)\n",
      p.device.c_str(), static_cast<long long>(p.device_nodes), p.cpu_nodes.size(), p.copies.size(),
      static_cast<long long>(p.uploaded_weights),
      static_cast<double>(p.uploaded_bytes) / (1024.0 * 1024.0));
  std::map<std::pair<std::string, std::string>, std::pair<int, std::string>> groups;
  for (const auto& n : p.cpu_nodes) {
    auto& g = groups[{n.op_type, n.reason}];
    if (g.first++ == 0) g.second = n.node;
  }
  if (!p.graphs.empty()) std::printf("  graphs: %s\n", p.graphs.c_str());
  for (const auto& [key, g] : groups) {
    std::printf("  cpu: %-22s x%-4d %s (e.g. %s)\n", key.first.c_str(), g.first, key.second.c_str(),
                g.second.c_str());
  }
  for (const auto& c : p.copies) {
    std::printf("  copy: %-40s to the %s\n", c.value.c_str(), c.to_device ? "device" : "host");
  }
}

void print_text(const PerfConfig& cfg, const engine::ModelMetadata& md, const Measurement& m) {
  std::printf("model %s: opset %lld, producer \"%s\", loaded in %.1f ms\n\n", cfg.model.c_str(),
              static_cast<long long>(md.opset), md.producer_name.c_str(), m.load_ms);
  print_op_table(md);
  std::printf("\ninputs:\n");
  for (const auto& in : m.inputs) {
    std::printf("  %-24s %-8s %-20s (%s)\n", in.info.name.c_str(),
                std::string(engine::dtype_name(in.info.dtype)).c_str(),
                engine::shape_to_string(in.shape).c_str(), in.source.c_str());
  }
  std::printf("\noutputs (shapes inferred at load time):\n");
  for (const auto& out : md.output_shapes) {
    std::printf("  %-24s %s\n", out.name.c_str(), inferred_shape_string(out).c_str());
  }
  const auto& ms = m.run_ms;
  double sum = 0;
  for (double v : ms) sum += v;
  const double runs_per_s = static_cast<double>(ms.size()) / m.timed_s;
  std::printf(
      "\nbatch %lld, %lld threads, %zu runs: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, "
      "mean %.3f ms, min %.3f ms\n",
      static_cast<long long>(m.rows), static_cast<long long>(cfg.threads), ms.size(),
      percentile(ms, 50), percentile(ms, 90), percentile(ms, 99),
      sum / static_cast<double>(ms.size()), *std::min_element(ms.begin(), ms.end()));
  std::printf("throughput: %.1f inferences/s (%.1f runs/s x batch %lld)\n",
              runs_per_s * static_cast<double>(m.rows), runs_per_s, static_cast<long long>(m.rows));
  std::printf(
      "memory: peak RSS %.1f MiB (%.1f MiB after loading); RSS during the timed runs "
      "%+.1f MiB (%.1f -> %.1f MiB)\n",
      m.peak_rss, m.rss_after_load, m.rss_after_timed - m.rss_before_timed, m.rss_before_timed,
      m.rss_after_timed);
  constexpr double kMiB = 1024.0 * 1024.0;
  std::printf("engine memory: weights %.1f MiB, peak arena %.2f MiB per run (%zu arena%s)\n",
              static_cast<double>(m.engine_memory.weight_bytes) / kMiB,
              static_cast<double>(m.engine_memory.peak_arena_bytes) / kMiB, m.engine_memory.arenas,
              m.engine_memory.arenas == 1 ? "" : "s");
  print_placement(md.placement);
  if (!m.diffs.empty()) {
    std::printf("\noutputs against the CPU engine (same inputs):\n");
    for (const auto& d : m.diffs) {
      if (!d.comparable) {
        std::printf("  %-24s %s\n", d.output.c_str(), d.note.c_str());
      } else {
        std::printf("  %-24s max |diff| %.3g, max relative %.3g, mean |diff| %.3g\n",
                    d.output.c_str(), d.max_abs, d.max_rel, d.mean_abs);
      }
    }
  }

  if (m.profile.runs == 0) {
    std::printf("\ntime per op type: not measured (--profile-runs 0)\n");
    return;
  }
  const auto rows = op_rows(m.profile);
  std::printf(
      "\ntime per op type (%lld more runs with a clock read around each op; %.3f ms per "
      "run):\n",
      static_cast<long long>(m.profile.runs),
      m.profile.run_ms / static_cast<double>(m.profile.runs));
  std::printf("%-24s %12s %12s %9s %10s\n", "op", "total ms", "ms/run", "% of run", "calls/run");
  for (const auto& r : rows) {
    std::printf("%-24s %12.3f %12.4f %8.1f%% %10.1f\n", r.op.c_str(), r.total_ms, r.ms_per_run,
                r.percent, r.calls_per_run);
  }
}

json::object counts_json(const std::map<std::string, int64_t>& counts) {
  json::object o;
  for (const auto& [op, n] : counts) o[op] = n;
  return o;
}

void print_json(const PerfConfig& cfg, const engine::ModelMetadata& md, const Measurement& m) {
  const auto& ms = m.run_ms;
  double sum = 0;
  for (double v : ms) sum += v;
  const double runs_per_s = static_cast<double>(ms.size()) / m.timed_s;

  json::array inputs;
  for (const auto& in : m.inputs) {
    json::array shape, declared;
    for (int64_t d : in.shape) shape.push_back(d);
    for (int64_t d : in.info.shape) declared.push_back(d);
    inputs.push_back(json::object{{"name", in.info.name},
                                  {"dtype", engine::dtype_name(in.info.dtype)},
                                  {"shape", std::move(shape)},
                                  {"model_shape", std::move(declared)},
                                  {"source", in.source}});
  }
  json::array outputs;
  for (const auto& out : md.output_shapes) {
    json::object o{{"name", out.name}, {"inferred_shape", inferred_shape_string(out)}};
    outputs.push_back(std::move(o));
  }
  json::array passes;
  for (const auto& p : md.passes) {
    passes.push_back(json::object{{"name", p.name},
                                  {"nodes_before", p.nodes_before},
                                  {"nodes_after", p.nodes_after},
                                  {"op_counts", counts_json(p.op_counts)}});
  }
  json::array ops;
  for (const auto& r : op_rows(m.profile)) {
    ops.push_back(json::object{{"op_type", r.op},
                               {"total_ms", r.total_ms},
                               {"ms_per_run", r.ms_per_run},
                               {"percent_of_run", r.percent},
                               {"calls_per_run", r.calls_per_run}});
  }
  json::array cpu_nodes, copies, diffs;
  for (const auto& n : md.placement.cpu_nodes) {
    cpu_nodes.push_back(json::object{{"node", n.node}, {"reason", n.reason}});
  }
  for (const auto& c : md.placement.copies) {
    copies.push_back(json::object{{"value", c.value}, {"to", c.to_device ? "device" : "host"}});
  }
  for (const auto& d : m.diffs) {
    json::object o{{"output", d.output}, {"comparable", d.comparable}};
    if (d.comparable) {
      o["max_abs_diff"] = d.max_abs;
      o["max_rel_diff"] = d.max_rel;
      o["mean_abs_diff"] = d.mean_abs;
    } else {
      o["note"] = d.note;
    }
    diffs.push_back(std::move(o));
  }
  json::object out{
      {"model", cfg.model},
      {"device", cfg.device},
      {"precision", cfg.precision},
      {"placement", json::object{{"device", md.placement.device},
                                 {"device_nodes", md.placement.device_nodes},
                                 {"cpu_nodes", std::move(cpu_nodes)},
                                 {"copies", std::move(copies)},
                                 {"uploaded_weights", md.placement.uploaded_weights},
                                 {"uploaded_bytes", md.placement.uploaded_bytes},
                                 {"graphs", md.placement.graphs}}},
      {"compare_cpu", std::move(diffs)},
      {"opset", md.opset},
      {"producer", md.producer_name},
      {"threads", cfg.threads},
      {"optimize", !cfg.no_optimize},
      {"batch", m.rows},
      {"inputs", std::move(inputs)},
      {"outputs", std::move(outputs)},
      {"load_ms", m.load_ms},
      {"warmup", cfg.warmup},
      {"iterations", cfg.iterations},
      {"latency_ms", json::object{{"p50", percentile(ms, 50)},
                                  {"p90", percentile(ms, 90)},
                                  {"p99", percentile(ms, 99)},
                                  {"mean", sum / static_cast<double>(ms.size())},
                                  {"min", *std::min_element(ms.begin(), ms.end())},
                                  {"max", *std::max_element(ms.begin(), ms.end())}}},
      {"throughput", json::object{{"runs_per_s", runs_per_s},
                                  {"inferences_per_s", runs_per_s * static_cast<double>(m.rows)}}},
      {"memory", json::object{{"peak_rss_mib", m.peak_rss},
                              {"rss_after_load_mib", m.rss_after_load},
                              {"rss_before_timed_mib", m.rss_before_timed},
                              {"rss_after_timed_mib", m.rss_after_timed},
                              {"rss_growth_timed_mib", m.rss_after_timed - m.rss_before_timed},
                              {"weight_bytes", m.engine_memory.weight_bytes},
                              {"device_weight_bytes", m.engine_memory.device_weight_bytes},
                              {"peak_arena_bytes", m.engine_memory.peak_arena_bytes},
                              {"arenas", m.engine_memory.arenas}}},
      {"op_counts",
       json::object{{"loaded", counts_json(md.op_counts)}, {"passes", std::move(passes)}}},
      {"op_profile",
       json::object{
           {"runs", m.profile.runs},
           {"ms_per_run",
            m.profile.runs > 0 ? m.profile.run_ms / static_cast<double>(m.profile.runs) : 0.0},
           {"ops", std::move(ops)}}},
  };
  std::cout << json::serialize(out) << "\n";
}

// Warmup, timed runs, then a few profiled runs (kept apart so the clock reads around each op do
// not count in the latency).
Status measure(const engine::Session& session, const PerfConfig& cfg,
               const std::vector<engine::Tensor>& inputs, Measurement& m) {
  auto run_failed = [](const Status& s) { return s.with_context("run failed"); };
  for (int64_t i = 0; i < cfg.warmup; ++i) {
    auto r = session.run(inputs);
    if (!r.ok()) return run_failed(r.status());
  }
  m.rss_before_timed = current_rss_mib();
  m.run_ms.reserve(static_cast<size_t>(cfg.iterations));
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < cfg.iterations; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = session.run(inputs);
    const auto t1 = std::chrono::steady_clock::now();
    if (!r.ok()) return run_failed(r.status());
    m.run_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  m.timed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  m.rss_after_timed = current_rss_mib();
  // ru_maxrss is updated lazily by the kernel and can trail a fresh /proc reading by a few pages.
  m.peak_rss = std::max({peak_rss_mib(), m.rss_after_load, m.rss_before_timed, m.rss_after_timed});
  m.engine_memory = session.memory_stats();
  for (int64_t i = 0; i < cfg.profile_runs; ++i) {
    auto r = session.run_profiled(inputs, m.profile);
    if (!r.ok()) return run_failed(r.status());
  }
  return Status();
}

// --compare-cpu: the same inputs through a CPU session of the same model.
Status compare_with_cpu(const engine::Session& session, const PerfConfig& cfg,
                        const std::vector<engine::Tensor>& inputs, Measurement& m) {
  engine::SessionOptions options;
  options.intra_op_threads = static_cast<int>(cfg.threads);
  options.optimize = !cfg.no_optimize;
  ASSIGN_OR_RETURN(auto cpu, engine::Session::create(cfg.model, options));
  ASSIGN_OR_RETURN(auto want, cpu->run(inputs));
  ASSIGN_OR_RETURN(auto got, session.run(inputs));
  const auto& outs = session.signature().outputs;
  for (size_t i = 0; i < want.size() && i < got.size(); ++i) {
    Measurement::Diff d;
    d.output = i < outs.size() ? outs[i].name : std::to_string(i);
    const engine::Tensor& a = got[i];
    const engine::Tensor& b = want[i];
    if (a.shape() != b.shape() || a.dtype() != b.dtype()) {
      d.comparable = false;
      d.note = "differs: " + engine::shape_to_string(a.shape()) + " vs the CPU's " +
               engine::shape_to_string(b.shape());
    } else if (a.dtype() != engine::DataType::kFloat32) {
      const bool same =
          a.byte_size() == 0 || std::memcmp(a.raw_data(), b.raw_data(), a.byte_size()) == 0;
      d.comparable = false;
      d.note = std::string(engine::dtype_name(a.dtype())) + (same ? ": identical" : ": DIFFERENT");
    } else {
      double sum = 0;
      for (int64_t j = 0; j < a.num_elements(); ++j) {
        const double x = a.data<float>()[j], y = b.data<float>()[j];
        const double diff = std::isnan(x) != std::isnan(y) ? INFINITY : std::fabs(x - y);
        d.max_abs = std::max(d.max_abs, diff);
        d.max_rel = std::max(d.max_rel, diff / (std::fabs(y) + 1e-3));
        sum += diff;
      }
      d.mean_abs = a.num_elements() > 0 ? sum / static_cast<double>(a.num_elements()) : 0;
    }
    m.diffs.push_back(std::move(d));
  }
  return Status::ok_status();
}

}  // namespace

int perf_command(const std::vector<std::string_view>& args) {
  PerfConfig cfg;
  std::string unused_shape;
  Flags f("modelhost perf",
          "Loads a model, prints the op counts before and after each graph pass, and times "
          "Session::run on generated inputs (engine only, no HTTP): latency, throughput, peak "
          "memory and time per op type. The model may also be given as the first argument.");
  f.add_string("model", "PATH", "ONNX model file", &cfg.model);
  f.add_string("shape", "NAME:D1,D2,...",
               "full shape of one input (repeatable); overrides --batch and --seq for it",
               &unused_shape);
  f.add_int("batch", "B", "value for an open leading dim", &cfg.batch, 1, 1 << 20);
  f.add_int("seq", "S",
            "value for an open sequence dim: one named like \"sequence\"/\"seq\", or the second "
            "dim of an integer input (other open dims get 1)",
            &cfg.seq, 1, 1 << 20);
  f.add_int("threads", "T", "intra-op threads (0: one per hardware thread)", &cfg.threads, 0, 256);
  f.add_int("iterations", "N", "timed runs", &cfg.iterations, 1, 1'000'000);
  f.add_int("warmup", "N", "untimed runs first", &cfg.warmup, 0, 1'000'000);
  f.add_int("profile-runs", "N",
            "runs after the timed ones that time each op type (0: no op table)", &cfg.profile_runs,
            0, 1'000'000);
  f.add_bool("no-optimize", "skip the graph passes", &cfg.no_optimize);
  f.add_bool("json", "print one JSON object instead of tables", &cfg.json);
  f.add_string("device", "DEV", "cpu or cuda:N (exit code 3 when that GPU cannot be used)",
               &cfg.device);
  f.add_string("precision", "P", "fp32, tf32, fp16 or bf16 (CUDA devices only)", &cfg.precision);
  f.add_bool("no-graphs", "on a GPU, run every time instead of capturing a run and replaying it",
             &cfg.no_graphs);
  f.add_bool("compare-cpu",
             "also run the inputs once on the CPU engine and print how far each output is from it",
             &cfg.compare_cpu);
  if (Status s = parse_perf_args(args, cfg, f); !s.ok()) return command_error(s);
  if (f.help_requested()) {
    std::string usage = f.usage();
    const std::string from = "Usage: modelhost perf [flags]";
    if (usage.rfind(from, 0) == 0)
      usage.replace(0, from.size(), "Usage: modelhost perf MODEL [flags]");
    std::cout << usage;
    return 0;
  }
  if (cfg.model.empty()) {
    std::cerr
        << "error: no model given: modelhost perf MODEL [flags] (see modelhost perf --help)\n";
    return 2;
  }
  // Parse --shape before the (possibly long) load so that a typo fails at once.
  for (const auto& text : cfg.shapes) {
    if (auto spec = parse_shape_flag(text); !spec.ok()) {
      std::cerr << "error: " << spec.status().message() << "\n";
      return 2;
    }
  }

  DeviceChoice device = choose_device(cfg.device, cfg.precision);
  if (device.exit_code) return *device.exit_code;
  engine::SessionOptions options;
  options.intra_op_threads = static_cast<int>(cfg.threads);
  options.optimize = !cfg.no_optimize;
  options.device = device.provider;
  options.device_graphs = !cfg.no_graphs;
  const auto load_start = std::chrono::steady_clock::now();
  auto session = engine::Session::create(cfg.model, options);
  if (!session.ok()) {
    std::cerr << "error: " << session.status().message() << "\n";
    return 1;
  }
  Measurement m;
  m.load_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - load_start)
          .count();
  m.rss_after_load = current_rss_mib();
  auto resolved = resolve_shapes(**session, cfg);
  if (!resolved.ok()) {
    std::cerr << "error: " << resolved.status().message() << "\n";
    return 2;
  }
  m.inputs = std::move(resolved).value();
  if (!m.inputs.empty() && !m.inputs[0].shape.empty()) m.rows = m.inputs[0].shape[0];
  try {
    std::mt19937 rng(42);
    std::vector<engine::Tensor> inputs;
    for (const auto& in : m.inputs) inputs.push_back(make_input(in, rng));
    if (Status s = measure(**session, cfg, inputs, m); !s.ok()) {
      std::cerr << "error: " << s.message() << "\n";
      return 1;
    }
    if (cfg.compare_cpu) {
      if (Status s = compare_with_cpu(**session, cfg, inputs, m); !s.ok()) {
        std::cerr << "error: --compare-cpu: " << s.message() << "\n";
        return 1;
      }
    }
  } catch (const std::bad_alloc&) {
    std::cerr << "error: out of memory for the inputs (see --shape, --batch, --seq)\n";
    return 1;
  }
  const auto& md = (*session)->metadata();
  if (cfg.json) {
    print_json(cfg, md, m);
  } else {
    print_text(cfg, md, m);
  }
  return 0;
}

}  // namespace modelhost::worker
