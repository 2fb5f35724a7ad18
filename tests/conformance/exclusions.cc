#include "conformance/exclusions.h"

#include <algorithm>
#include <fstream>
#include <string_view>
#include <utility>
#include <vector>

namespace modelhost::engine::conformance {

namespace fs = std::filesystem;

namespace {

std::string trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

// test name -> reason. Lines: `test_name  # reason`; blank lines and lines starting with '#'
// are comments.
Result<std::map<std::string, std::string>> read_exclusions(const fs::path& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  if (!in) return not_found("exclusions file " + path.string() + " cannot be read");
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    const size_t hash = t.find('#');
    const std::string name = trim(std::string_view(t).substr(0, hash));
    const std::string reason = hash == std::string::npos ? "" : trim(t.substr(hash + 1));
    if (name.find_first_of(" \t") != std::string::npos) {
      return invalid_argument(path.string() + ":" + std::to_string(line_no) +
                              ": expected `test_name  # reason`");
    }
    out[name] = reason.empty() ? "no reason given" : reason;
  }
  return out;
}

// The heading an exclusion reason is listed under.
std::string reason_group(const std::string& reason) {
  if (reason.starts_with("domain ")) return "Domains the engine does not support";
  if (reason.starts_with("op ") && reason.ends_with(" not implemented")) {
    return "Ops without a kernel";
  }
  if (reason.starts_with("opset ")) return "Opsets outside the engine's range";
  if (reason.starts_with("training op")) return "Training ops";
  if (reason.find("dtype") != std::string::npos || reason.starts_with("sequence/optional")) {
    return "Types the engine does not support";
  }
  if (reason == "numeric mismatch" || reason.starts_with("wrong output")) {
    return "Wrong results";
  }
  if (reason.starts_with("load error")) return "Models the engine rejects";
  if (reason.starts_with("run error")) return "Errors while running";
  return "Other failures";
}

Status write_exclusions(const fs::path& path,
                        const std::map<std::string, std::string>& entries) {
  // group -> (reason, test) pairs, sorted by reason then test name.
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> groups;
  size_t width = 0;
  for (const auto& [name, reason] : entries) {
    groups[reason_group(reason)].emplace_back(reason, name);
    // Aligned reasons read better, but one very long name should not push all of them right.
    width = std::max(width, std::min<size_t>(name.size(), 48));
  }
  std::ofstream out(path, std::ios::trunc);
  if (!out) return invalid_argument("exclusions file " + path.string() + " cannot be written");
  out << "# ONNX backend node tests that the engine does not pass yet, one per line:\n"
         "#   test_name  # reason\n"
         "# Listed tests are not run. Regenerate with `onnx_conformance --update-exclusions`\n"
         "# (see README.md): it keeps the reason of a test that still fails, adds new failures\n"
         "# and drops the tests that pass.\n";
  for (auto& [group, items] : groups) {
    std::sort(items.begin(), items.end());
    out << "\n# ---- " << group << " (" << items.size() << ")\n";
    for (const auto& [reason, name] : items) {
      const size_t pad = std::max(width, name.size()) - name.size() + 2;
      out << name << std::string(pad, ' ') << "# " << reason << "\n";
    }
  }
  out.flush();
  if (!out) return internal_error("writing " + path.string() + " failed");
  return Status::ok_status();
}

}  // namespace modelhost::engine::conformance
