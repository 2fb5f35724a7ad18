#include "worker/device_flags.h"

#include <iostream>

#include "common/flags.h"
#include "common/logging.h"

#ifdef MODELHOST_HAVE_CUDA
#include "engine/cuda/precision.h"
#include "engine/cuda/provider.h"
#include "engine/cuda/runtime.h"
#endif

namespace modelhost::worker {

DeviceChoice choose_device(const std::string& device, const std::string& precision) {
  DeviceChoice choice;
  if (device == "cpu") {
    if (precision != "fp32") {
      choice.exit_code = command_error(invalid_argument(
          "--precision " + precision + " needs a CUDA device; the CPU computes in fp32"));
    }
    return choice;
  }
#ifdef MODELHOST_HAVE_CUDA
  auto p = engine::cuda::parse_precision(precision);
  if (!p.ok()) {
    choice.exit_code = command_error(p.status());
    return choice;
  }
  auto index = engine::cuda::parse_device(device);
  if (!index.ok() && index.status().code() == StatusCode::kInvalidArgument) {
    choice.exit_code = command_error(index.status());
    return choice;
  }
  std::string unusable = index.status().message();  // names the flag already
  if (index.ok()) {
    auto provider = engine::cuda::make_provider(*index, *p);
    if (provider.ok()) {
      choice.provider = std::move(provider).value();
      LOG_INFO("running on the GPU").kv("device", choice.provider->name());
      return choice;
    }
    unusable = "--device " + device + ": " + provider.status().message();
  }
  std::cerr << "error: " << unusable << "\n";
  choice.exit_code = kNoUsableDevice;
  return choice;
#else
  if (device.rfind("cuda", 0) != 0) {
    choice.exit_code =
        command_error(invalid_argument("--device must be cpu or cuda:N, got \"" + device + "\""));
    return choice;
  }
  std::cerr << "error: --device " << device
            << ": this modelhost was built without CUDA (configure with -DMODELHOST_CUDA=ON)\n";
  choice.exit_code = kNoUsableDevice;
  return choice;
#endif
}

}  // namespace modelhost::worker
