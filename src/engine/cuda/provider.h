// The CUDA execution provider: a Session runs on an NVIDIA GPU when SessionOptions::device is
// one of these. Nodes with a CUDA kernel here (ops.cc) run on the device, the others on the CPU
// with copies between (exec/device.h); `modelhost perf --device cuda:N` lists which and why.
#pragma once

#include <memory>

#include "common/status.h"
#include "engine/cuda/precision.h"
#include "engine/exec/device.h"

namespace modelhost::engine::cuda {

// Device `index` as this process numbers its visible devices (after CUDA_VISIBLE_DEVICES).
// Errors say why the device cannot be used (no driver, no such device).
Result<std::shared_ptr<const exec::DeviceProvider>> make_provider(int index, Precision precision);

}  // namespace modelhost::engine::cuda
