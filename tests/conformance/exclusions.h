// The exclusions file: ONNX node tests the runner skips, each with a one-line reason.
//
//   # comment
//   test_abs_float16  # op Abs not implemented
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "common/status.h"

namespace modelhost::engine::conformance {

// test name -> reason. Blank lines and lines starting with '#' are comments; an entry without a
// reason gets "no reason given".
Result<std::map<std::string, std::string>> read_exclusions(const std::filesystem::path& path);

// Rewrites `path` with a header comment, then the entries under one "# ---- <group>" heading per
// reason_group(), sorted by reason and test name within a group.
Status write_exclusions(const std::filesystem::path& path,
                        const std::map<std::string, std::string>& entries);

// The heading a reason is listed under: "Ops without a kernel", "Training ops", ...
std::string reason_group(const std::string& reason);

}  // namespace modelhost::engine::conformance
