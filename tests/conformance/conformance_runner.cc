// onnx_conformance: runs the ONNX backend node tests against the engine.
//
// Each test folder holds model.onnx and test_data_set_*/{input,output}_N.pb (serialized
// onnx.TensorProto). A test passes when Session::create succeeds and every data set's outputs
// match the reference ones in dtype, shape and value (the onnx backend tolerances: rtol 1e-3,
// atol 1e-7, NaN equals NaN, integers and bools exact).
//
// Tests listed in the exclusions file are skipped; any other failure makes the exit status 1.
// Every test runs in a forked child, so a kernel that crashes or hangs fails its own test and the
// run goes on.
//
//   onnx_conformance --data DIR --exclusions FILE [--filter SUBSTR] [--verbose]
//                    [--report FILE.md] [--update-exclusions]
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/logging.h"
#include "conformance/exclusions.h"
#include "conformance/tensor_compare.h"
#include "engine/exec/kernel.h"
#include "engine/exec/session.h"
#include "engine/ir/tensor.h"
#include "engine/onnx/tensor_proto.h"
#include "onnx/onnx.pb.h"

namespace modelhost::engine::conformance {
namespace {

namespace fs = std::filesystem;

// A test that runs longer than this is reported as hanging.
constexpr unsigned kTestTimeLimitS = 60;

struct Options {
  fs::path data_dir;
  fs::path exclusions_path;
  std::string filter;
  bool verbose = false;
  std::optional<fs::path> report_path;
  bool update_exclusions = false;
};

// What one test did. `reason` is a short, stable, one-line category (it goes into the exclusions
// file and the report); `detail` is the full message for the console.
struct Outcome {
  bool passed = false;
  std::string reason;
  std::string detail;
};

Outcome fail(std::string reason, std::string detail) {
  return Outcome{false, std::move(reason), std::move(detail)};
}

// ---- reading .pb files ----------------------------------------------------------------------

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buf;
  buf << in.rdbuf();
  return std::move(buf).str();
}

// "ONNX element type STRING is not supported" -> "string"
std::optional<std::string> unsupported_element_type(const std::string& message) {
  static const std::regex re("ONNX element type (\\w+) is not supported");
  std::smatch m;
  if (!std::regex_search(message, m, re)) return std::nullopt;
  std::string name = m[1];
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

Result<Tensor> read_tensor(const fs::path& path) {
  auto bytes = read_file(path);
  if (!bytes) return not_found(path.string() + " cannot be read");
  ::onnx::TensorProto proto;
  if (!proto.ParseFromString(*bytes)) {
    return invalid_argument(path.string() + " is not a serialized onnx.TensorProto");
  }
  auto t = onnx_import::decode_tensor(proto, path.parent_path());
  if (!t.ok()) return t.status().with_context(path.filename().string());
  return t;
}

// ---- running one test -----------------------------------------------------------------------

int64_t default_opset(const ::onnx::ModelProto& model) {
  for (const auto& op : model.opset_import()) {
    if (op.domain().empty() || op.domain() == "ai.onnx") return op.version();
  }
  return 0;
}

// `node "x" (op Foo, domain "", opset 13): ...` -> {"Foo", ""}
std::optional<std::pair<std::string, std::string>> failing_op(const std::string& message) {
  static const std::regex re("\\(op ([^,]+), domain \"([^\"]*)\"");
  std::smatch m;
  if (!std::regex_search(message, m, re)) return std::nullopt;
  return std::make_pair(std::string(m[1]), std::string(m[2]));
}

// The message without the leading node description, cut to one short line.
std::string short_message(const std::string& message) {
  std::string s = message;
  if (auto op = failing_op(message)) {
    const size_t colon = message.find("): ");
    if (colon != std::string::npos) s = "op " + op->first + ": " + message.substr(colon + 3);
  }
  s = s.substr(0, s.find('\n'));
  constexpr size_t kMaxLen = 100;
  if (s.size() > kMaxLen) s = s.substr(0, kMaxLen - 3) + "...";
  return s;
}

// Turns a Session::create error into a stable reason.
std::string load_failure_reason(const std::string& message) {
  static const std::regex opset_re("opset (\\d+) of the default domain is not supported");
  std::smatch m;
  if (message.find("no kernel for this op") != std::string::npos) {
    if (auto op = failing_op(message)) {
      const std::string qualified = op->second.empty() ? op->first : op->second + "." + op->first;
      return "op " + qualified + " not implemented";
    }
  }
  if (std::regex_search(message, m, opset_re)) {
    return "opset " + std::string(m[1]) + " not supported";
  }
  if (auto type = unsupported_element_type(message)) {
    if (message.find("graph input") != std::string::npos) {
      return "input dtype " + *type + " not supported";
    }
    if (message.find("graph output") != std::string::npos) {
      return "output dtype " + *type + " not supported";
    }
    return "dtype " + *type + " not supported";
  }
  return "load error: " + short_message(message);
}

// Turns a Session::run error into a stable reason.
std::string run_failure_reason(const std::string& message) {
  // A kernel that lacks a dtype: `op Add: input 0 has dtype int8; Add supports float32, ...`.
  static const std::regex dtype_re("input \\d+ has dtype (\\w+); ");
  std::smatch m;
  if (std::regex_search(message, m, dtype_re)) {
    if (auto op = failing_op(message)) {
      return "op " + op->first + ": dtype " + std::string(m[1]) + " not supported";
    }
  }
  return "run error: " + short_message(message);
}

bool is_tensor_type(const ::onnx::TypeProto& type) {
  return type.value_case() == ::onnx::TypeProto::kTensorType;
}

Outcome run_test(const fs::path& dir) {
  const fs::path model_path = dir / "model.onnx";
  ::onnx::ModelProto model;
  {
    auto bytes = read_file(model_path);
    if (!bytes || !model.ParseFromString(*bytes)) {
      return fail("model unreadable", model_path.string() + " is not a readable ONNX model");
    }
  }
  for (const auto* values : {&model.graph().input(), &model.graph().output()}) {
    for (const auto& v : *values) {
      if (!is_tensor_type(v.type())) {
        return fail("sequence/optional types not supported",
                    "\"" + v.name() + "\" is not a tensor (sequence, optional or map type)");
      }
    }
  }

  if (default_opset(model) == 0) {
    std::string domains;
    for (const auto& op : model.opset_import()) {
      domains += (domains.empty() ? "" : ", ") + op.domain();
    }
    return fail("domain " + domains + " not supported",
                "the model imports only " + domains + ", not the default ONNX domain");
  }

  auto session = Session::create(model_path.string(), {});
  if (!session.ok()) {
    return fail(load_failure_reason(session.status().message()),
                "load error: " + session.status().to_string());
  }
  const ModelSignature& sig = (*session)->signature();

  std::vector<fs::path> data_sets;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_directory() && entry.path().filename().string().starts_with("test_data_set_")) {
      data_sets.push_back(entry.path());
    }
  }
  std::sort(data_sets.begin(), data_sets.end());
  if (data_sets.empty()) return fail("no test data", "no test_data_set_* folder");

  for (const auto& ds : data_sets) {
    const std::string ds_name = ds.filename().string();
    std::vector<Tensor> inputs;
    for (size_t i = 0;; ++i) {
      const fs::path p = ds / ("input_" + std::to_string(i) + ".pb");
      if (!fs::exists(p)) break;
      auto t = read_tensor(p);
      if (!t.ok()) {
        if (auto type = unsupported_element_type(t.status().message())) {
          return fail("input dtype " + *type + " not supported",
                      ds_name + ": " + t.status().message());
        }
        return fail("input unreadable: " + short_message(t.status().message()),
                    ds_name + ": " + t.status().message());
      }
      inputs.push_back(std::move(t).value());
    }
    if (inputs.size() != sig.inputs.size()) {
      return fail("input count mismatch",
                  ds_name + ": the data set has " + std::to_string(inputs.size()) +
                      " inputs, the model " + std::to_string(sig.inputs.size()));
    }

    auto outputs = (*session)->run(inputs);
    if (!outputs.ok()) {
      return fail(run_failure_reason(outputs.status().message()),
                  ds_name + ": run error: " + outputs.status().to_string());
    }
    // What shape inference told at load time must hold for every output it knows.
    const auto& inferred = (*session)->metadata().output_shapes;
    for (size_t i = 0; i < inferred.size() && i < outputs->size(); ++i) {
      if (!inferred[i].has_shape) continue;
      const Shape& got = (*outputs)[i].shape();
      bool agrees = got.size() == inferred[i].shape.size();
      for (size_t d = 0; agrees && d < got.size(); ++d) {
        agrees = inferred[i].shape[d] < 0 || inferred[i].shape[d] == got[d];
      }
      if (!agrees) {
        return fail("shape inference disagrees with the run",
                    ds_name + ": output " + std::to_string(i) + " inferred " +
                        shape_to_string(inferred[i].shape) + ", computed " + shape_to_string(got));
      }
    }
    for (size_t i = 0;; ++i) {
      const fs::path p = ds / ("output_" + std::to_string(i) + ".pb");
      if (!fs::exists(p)) {
        if (i != outputs->size()) {
          return fail("output count mismatch", ds_name + ": expected " + std::to_string(i) +
                                                   " outputs, got " +
                                                   std::to_string(outputs->size()));
        }
        break;
      }
      auto expected = read_tensor(p);
      if (!expected.ok()) {
        if (auto type = unsupported_element_type(expected.status().message())) {
          return fail("output dtype " + *type + " not supported",
                      ds_name + ": " + expected.status().message());
        }
        return fail("output unreadable: " + short_message(expected.status().message()),
                    ds_name + ": " + expected.status().message());
      }
      if (i >= outputs->size()) {
        return fail("output count mismatch",
                    ds_name + ": got only " + std::to_string(outputs->size()) + " outputs");
      }
      const std::string name = i < sig.outputs.size() ? sig.outputs[i].name : "";
      const std::string diff = compare_tensors(*expected, (*outputs)[i]);
      if (!diff.empty()) {
        const bool numeric = diff.starts_with("element");
        return fail(numeric ? "numeric mismatch" : "wrong output " + diff.substr(0, diff.find(':')),
                    ds_name + ": output " + std::to_string(i) + " \"" + name + "\": " + diff);
      }
    }
  }
  return Outcome{true, "", ""};
}

// ---- isolation: one forked child per test ---------------------------------------------------

bool write_all(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = write(fd, s.data() + done, s.size() - done);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// The child reports "P" or "F<reason>\n<detail>" through a pipe; a child that dies without a
// report crashed (or ran into the time limit).
Outcome run_test_isolated(const fs::path& dir) {
  int fds[2];
  if (pipe(fds) != 0) return run_test(dir);
  std::cout.flush();
  std::cerr.flush();
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return run_test(dir);
  }
  if (pid == 0) {
    close(fds[0]);
    alarm(kTestTimeLimitS);
    Outcome o;
    try {
      o = run_test(dir);
    } catch (const std::exception& e) {
      o = fail("exception: " + short_message(e.what()), std::string("exception: ") + e.what());
    } catch (...) {
      o = fail("exception", "unknown exception");
    }
    const std::string msg = o.passed ? "P" : "F" + o.reason + "\n" + o.detail;
    _exit(write_all(fds[1], msg) ? 0 : 1);
  }
  close(fds[1]);
  std::string msg;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n > 0) {
      msg.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(fds[0]);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(wstatus)) {
    const int sig = WTERMSIG(wstatus);
    if (sig == SIGALRM) {
      return fail("timed out", "still running after " + std::to_string(kTestTimeLimitS) + " s");
    }
    return fail(std::string("crash: ") + strsignal(sig),
                std::string("the test process died: ") + strsignal(sig));
  }
  if (msg == "P") return Outcome{true, "", ""};
  if (msg.starts_with("F")) {
    const size_t nl = msg.find('\n');
    return fail(msg.substr(1, nl - 1), nl == std::string::npos ? "" : msg.substr(nl + 1));
  }
  return fail("crash: no result", "the test process exited without a result");
}

// ---- exclusions -----------------------------------------------------------------------------

// The reason a failing test gets in a regenerated exclusions file: scope decisions (training,
// opset) come before whatever the engine happened to trip on first.
std::string exclusion_reason(const std::string& test, int64_t opset, const Outcome& o) {
  for (std::string_view marker : {"training", "_grad", "adagrad", "adam", "momentum", "nesterov"}) {
    if (test.find(marker) != std::string::npos) return "training op, out of scope";
  }
  const std::string range = " (engine supports " + std::to_string(exec::kMinOpset) + ".." +
                            std::to_string(exec::kMaxOpset) + ")";
  if (opset > exec::kMaxOpset) {
    return "opset " + std::to_string(opset) + " > " + std::to_string(exec::kMaxOpset) + range;
  }
  if (opset > 0 && opset < exec::kMinOpset) {
    return "opset " + std::to_string(opset) + " < " + std::to_string(exec::kMinOpset) + range;
  }
  return o.reason;
}

int64_t model_opset(const fs::path& dir) {
  auto bytes = read_file(dir / "model.onnx");
  ::onnx::ModelProto model;
  if (!bytes || !model.ParseFromString(*bytes)) return 0;
  return default_opset(model);
}

// ---- report ---------------------------------------------------------------------------------

struct TestRecord {
  std::string name;
  bool excluded = false;
  Outcome outcome;     // when run
  std::string reason;  // excluded or failed: why
};

std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

Status write_report(const fs::path& path, const std::vector<TestRecord>& records) {
  size_t passed = 0;
  std::map<std::string, std::vector<std::string>> by_reason;
  for (const auto& r : records) {
    if (!r.excluded && r.outcome.passed) {
      ++passed;
    } else {
      by_reason[r.reason].push_back(r.name);
    }
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> rows(by_reason.begin(),
                                                                     by_reason.end());
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    if (a.second.size() != b.second.size()) return a.second.size() > b.second.size();
    return a.first < b.first;
  });
  std::map<std::string, size_t> by_group;
  for (const auto& [reason, tests] : rows) by_group[reason_group(reason)] += tests.size();

  std::ofstream out(path, std::ios::trunc);
  if (!out) return invalid_argument("report " + path.string() + " cannot be written");
  const double rate =
      records.empty() ? 0.0
                      : 100.0 * static_cast<double>(passed) / static_cast<double>(records.size());
  char rate_text[32];
  std::snprintf(rate_text, sizeof rate_text, "%.1f%%", rate);
  out << "# ONNX backend conformance\n\n"
      << "The ONNX backend node tests (shipped with the onnx 1.19.1 wheel) run through "
         "`engine::Session` by `onnx_conformance` (tests/conformance/).\n\n"
      << "**" << passed << " / " << records.size() << " passed (" << rate_text << ")**\n\n"
      << "## Not passing, by kind\n\n| Kind | Tests |\n|---|---:|\n";
  for (const auto& [group, n] : by_group) out << "| " << group << " | " << n << " |\n";
  out << "\n## Not passing, by reason\n\n| Reason | Tests | Examples |\n|---|---:|---|\n";
  for (const auto& [reason, tests] : rows) {
    std::string examples;
    for (size_t i = 0; i < tests.size() && i < 3; ++i) {
      examples += (i ? ", " : "") + std::string("`") + tests[i] + "`";
    }
    if (tests.size() > 3) examples += ", ...";
    out << "| " << md_escape(reason) << " | " << tests.size() << " | " << examples << " |\n";
  }
  out << "\n## Passing\n\n";
  for (const auto& r : records) {
    if (!r.excluded && r.outcome.passed) out << "`" << r.name << "` ";
  }
  out << "\n";
  out.flush();
  if (!out) return internal_error("writing " + path.string() + " failed");
  return Status::ok_status();
}

// ---- main -----------------------------------------------------------------------------------

constexpr std::string_view kUsage =
    "usage: onnx_conformance --data DIR --exclusions FILE [--filter SUBSTR] [--verbose]\n"
    "                        [--report FILE.md] [--update-exclusions]\n"
    "  --data DIR            onnx/backend/test/data/node of an installed onnx package\n"
    "  --exclusions FILE     tests not to run, one `test_name  # reason` per line\n"
    "  --filter SUBSTR       only tests whose name contains SUBSTR\n"
    "  --verbose             print every test, not only failures\n"
    "  --report FILE.md      write a markdown summary\n"
    "  --update-exclusions   run every test and rewrite FILE with the ones that fail\n";

Result<Options> parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&](std::string_view flag) -> Result<std::string> {
      if (i + 1 >= argc) return invalid_argument(std::string(flag) + " needs a value");
      return std::string(argv[++i]);
    };
    if (a == "--data") {
      ASSIGN_OR_RETURN(std::string v, value(a));
      o.data_dir = v;
    } else if (a == "--exclusions") {
      ASSIGN_OR_RETURN(std::string v, value(a));
      o.exclusions_path = v;
    } else if (a == "--filter") {
      ASSIGN_OR_RETURN(o.filter, value(a));
    } else if (a == "--report") {
      ASSIGN_OR_RETURN(std::string v, value(a));
      o.report_path = v;
    } else if (a == "--verbose") {
      o.verbose = true;
    } else if (a == "--update-exclusions") {
      o.update_exclusions = true;
    } else {
      return invalid_argument("unknown argument \"" + std::string(a) + "\"");
    }
  }
  if (o.data_dir.empty()) return invalid_argument("--data is required");
  if (o.exclusions_path.empty()) return invalid_argument("--exclusions is required");
  return o;
}

int run_main(const Options& opts) {
  const auto start = std::chrono::steady_clock::now();
  std::error_code ec;
  if (!fs::is_directory(opts.data_dir, ec)) {
    std::cerr << "onnx_conformance: --data " << opts.data_dir << " is not a folder\n";
    return 2;
  }
  std::map<std::string, std::string> exclusions;
  {
    auto read = read_exclusions(opts.exclusions_path);
    if (read.ok()) {
      exclusions = std::move(read).value();
    } else if (!opts.update_exclusions || fs::exists(opts.exclusions_path)) {
      std::cerr << "onnx_conformance: " << read.status().message() << "\n";
      return 2;
    }
  }

  std::vector<fs::path> tests;
  for (const auto& entry : fs::directory_iterator(opts.data_dir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || !name.starts_with("test_")) continue;
    if (!fs::exists(entry.path() / "model.onnx")) continue;
    if (!opts.filter.empty() && name.find(opts.filter) == std::string::npos) continue;
    tests.push_back(entry.path());
  }
  std::sort(tests.begin(), tests.end());

  std::vector<TestRecord> records;
  size_t passed = 0, failed = 0, excluded = 0;
  for (const auto& dir : tests) {
    TestRecord rec;
    rec.name = dir.filename().string();
    auto ex = exclusions.find(rec.name);
    if (ex != exclusions.end() && !opts.update_exclusions) {
      rec.excluded = true;
      rec.reason = ex->second;
      ++excluded;
      if (opts.verbose) std::cout << "SKIP " << rec.name << "  # " << rec.reason << "\n";
      records.push_back(std::move(rec));
      continue;
    }
    rec.outcome = run_test_isolated(dir);
    if (rec.outcome.passed) {
      ++passed;
      if (opts.verbose) std::cout << "PASS " << rec.name << "\n";
    } else {
      ++failed;
      rec.reason = rec.outcome.reason;
      if (opts.update_exclusions) {
        // A known failure keeps its hand-written reason.
        rec.reason = ex != exclusions.end()
                         ? ex->second
                         : exclusion_reason(rec.name, model_opset(dir), rec.outcome);
        if (opts.verbose) std::cout << "FAIL " << rec.name << "  # " << rec.reason << "\n";
      } else {
        std::cout << "FAIL " << rec.name << ": " << rec.outcome.detail << "\n";
      }
    }
    records.push_back(std::move(rec));
  }

  int rc = failed == 0 ? 0 : 1;
  size_t ran = passed + failed;
  if (opts.update_exclusions) {
    // Tests outside this run (another --filter) keep their entries.
    std::map<std::string, std::string> updated;
    for (const auto& [name, reason] : exclusions) {
      const bool ran = std::any_of(records.begin(), records.end(),
                                   [&](const TestRecord& r) { return r.name == name; });
      if (!ran) updated[name] = reason;
    }
    size_t added = 0, dropped = 0;
    for (const auto& r : records) {
      if (!r.outcome.passed) {
        updated[r.name] = r.reason;
        if (!exclusions.count(r.name)) ++added;
      } else if (exclusions.count(r.name)) {
        ++dropped;
      }
    }
    if (Status s = write_exclusions(opts.exclusions_path, updated); !s.ok()) {
      std::cerr << "onnx_conformance: " << s.message() << "\n";
      return 2;
    }
    std::cout << "updated " << opts.exclusions_path.string() << ": " << updated.size()
              << " excluded (" << added << " added, " << dropped << " now passing)\n";
    ran = passed + failed;
    // The failures are now the exclusions.
    excluded = failed;
    failed = 0;
    rc = 0;
  }
  if (opts.report_path) {
    if (Status s = write_report(*opts.report_path, records); !s.ok()) {
      std::cerr << "onnx_conformance: " << s.message() << "\n";
      return 2;
    }
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "ran " << ran << " tests in " << static_cast<int>(secs + 0.5) << " s\n";
  std::cout << "conformance: " << passed << " passed, " << failed << " failed, " << excluded
            << " excluded, " << tests.size() << " total\n";
  std::cout << passed << " passed, " << failed << " failed\n";
  return rc;
}

}  // namespace
}  // namespace modelhost::engine::conformance

int main(int argc, char** argv) {
  using namespace modelhost::engine::conformance;
  auto opts = parse_args(argc, argv);
  if (!opts.ok()) {
    std::cerr << "onnx_conformance: " << opts.status().message() << "\n" << kUsage;
    return 2;
  }
  // The engine logs every model load at info; 1615 of them would bury the failures.
  if (!opts->verbose) modelhost::log::set_level(modelhost::log::Level::kWarn);
  try {
    return run_main(*opts);
  } catch (const std::exception& e) {
    std::cerr << "onnx_conformance: " << e.what() << "\n";
    return 2;
  }
}
