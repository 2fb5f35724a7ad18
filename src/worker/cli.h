// The worker's subcommands: `modelhost run` (serve one model), `modelhost validate` (load a
// model and print its signature or the load error) and `modelhost perf` (time the engine).
#pragma once

#include <string_view>
#include <vector>

namespace modelhost::worker {

// Each returns the process exit code.
int run_command(const std::vector<std::string_view>& args);
int validate_command(const std::vector<std::string_view>& args);
// `modelhost perf`: op counts per graph pass and engine-only timing (perf_command.cc).
int perf_command(const std::vector<std::string_view>& args);

}  // namespace modelhost::worker
