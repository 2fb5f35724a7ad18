// `--device cpu|cuda:N` and `--precision fp32|tf32|fp16|bf16`, as `modelhost run` and
// `modelhost perf` take them: the execution provider they name, or the exit status of a bad
// choice (2: a flag's value is wrong; 3: the GPU cannot be used here, which the orchestrator
// turns into a failed instance with this message instead of a restart loop).
#pragma once

#include <memory>
#include <optional>
#include <string>

namespace modelhost::engine::exec {
class DeviceProvider;
}

namespace modelhost::worker {

inline constexpr int kNoUsableDevice = 3;

struct DeviceChoice {
  std::shared_ptr<const engine::exec::DeviceProvider> provider;  // null: the CPU
  std::optional<int> exit_code;  // set when the choice is refused (the message is printed)
};

DeviceChoice choose_device(const std::string& device, const std::string& precision);

}  // namespace modelhost::worker
