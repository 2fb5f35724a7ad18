// modelhost: subcommand dispatch.
#include <malloc.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string_view>
#include <vector>

#include "cli/cli.h"
#include "common/logging.h"
#include "control/serve.h"
#include "worker/cli.h"

namespace {

constexpr std::string_view kUsage = R"(modelhost — serve deep-learning models as REST endpoints.

Usage: modelhost <command> [flags]

Commands:
  serve      the controller: the REST API under /api/, the model instances and the gateway
  run        serve one ONNX model over HTTP (Open Inference Protocol + Domino-style JSON)
  validate   load a model and print its signature, or the load error
  perf       op counts per graph pass and engine-only latency of a model
  version    print the version

Client commands (of a controller started with `serve`; see docs/platform.md):
  login      check a token against a controller and remember both
  user       ls | create NAME [--admin]
  token      ls | create NAME | revoke ID  [--user USER]
  tier       ls | create NAME [flags] | update NAME [flags] | rm NAME
  quota      show [--user USER] | set USER [--gpus N] [--instances N] [--cpus C] [--memory-gib G]
  env        ls | create NAME --interpreter PATH [--description TEXT] | rm NAME
  deploy     NAME --file MODEL [--tier T] [--instances N]: upload and deploy, wait until ready
  ls         the Model APIs you may see
  status     NAME: deployment, instances, GPUs, state
  versions   NAME
  promote    NAME VERSION [--label L]      rollback NAME
  scale      NAME N                        stop NAME | start NAME | rm NAME
  logs       NAME [--instance ID] [--tail N] [-f]
  predict    NAME --json FILE
  access     NAME ls | create TOKEN_NAME | revoke ID   (access tokens for callers)

Run `modelhost <command> --help` for the command's flags.
)";

// oneDNN (convolutions, GEMM) runs its parallel regions on OpenMP, whose threads by default spin
// for a while after each region. On a machine whose cores are shared with the server's other
// threads, other instances or anything else, a spinning thread steals the core a worker needs
// and every following region waits on a descheduled thread: 3-4x slower inference on a loaded
// 2-core machine. The policy is read once when libgomp loads, before main, so unless the user
// chose one, set the passive policy and re-execute this same binary once.
void ensure_passive_openmp(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  if (::setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0) return;
  ::execv("/proc/self/exe", argv);
  // execv only returns on failure (no /proc): go on with the default policy.
}

// glibc raises its mmap threshold to the size of every large block freed, so after the loader
// and the graph passes free a model's raw and replaced weights (blocks of megabytes), later
// allocations of that size come from the heap and stay in the process when freed: BERT-base then
// holds 230 MiB of freed weights for its whole life. A fixed threshold keeps every block of 1 MiB
// or more in its own mapping, returned to the system on free.
void return_large_blocks_on_free() { ::mallopt(M_MMAP_THRESHOLD, 1 << 20); }

}  // namespace

int main(int argc, char** argv) {
  ensure_passive_openmp(argv);
  return_large_blocks_on_free();
  modelhost::log::init_from_env();
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  std::string_view command = argv[1];
  std::vector<std::string_view> args(argv + 2, argv + argc);
  if (command == "serve") return modelhost::control::serve_command(args);
  if (modelhost::cli::is_cli_command(command)) return modelhost::cli::cli_command(command, args);
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
