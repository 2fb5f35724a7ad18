// modelhost: subcommand dispatch.
#include <iostream>
#include <string_view>
#include <vector>

#include "common/logging.h"
#include "worker/cli.h"

namespace {

constexpr std::string_view kUsage = R"(modelhost — serve deep-learning models as REST endpoints.

Usage: modelhost <command> [flags]

Commands:
  run        serve one ONNX model over HTTP (Open Inference Protocol + Domino-style JSON)
  validate   load a model and print its signature, or the load error
  perf       op counts per graph pass and engine-only latency of a model
  version    print the version

Run `modelhost <command> --help` for the command's flags.
)";

}  // namespace

int main(int argc, char** argv) {
  modelhost::log::init_from_env();
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  std::string_view command = argv[1];
  std::vector<std::string_view> args(argv + 2, argv + argc);
  if (command == "run") return modelhost::worker::run_command(args);
  if (command == "validate") return modelhost::worker::validate_command(args);
  if (command == "perf") return modelhost::worker::perf_command(args);
  if (command == "version" || command == "--version") {
    std::cout << "modelhost " << MODELHOST_VERSION << "\n";
    return 0;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << "modelhost: unknown command \"" << command << "\"\n\n" << kUsage;
  return 2;
}
