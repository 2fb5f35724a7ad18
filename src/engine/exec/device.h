// DeviceProvider: what the executor needs from an accelerator (the CUDA one is in engine/cuda/).
//
// With a provider, Executor::create places each node: on the device when the provider's kernel
// table has a kernel for it that accepts the node (its factory succeeds) and the dtypes the
// planner knows (its infer_types passes), else on the CPU. Values then live where their producer
// ran, and the planner inserts one copy step per value and direction where a consumer needs it
// elsewhere: graph inputs are copied to the device by the first device node that reads them,
// graph outputs back to the host at the end, and weights read by device nodes are uploaded once
// at load time. Ops that only read shapes (Shape, Reshape's data, ...: KernelDef's
// metadata_inputs) never cause a copy. The report of all this (Session::metadata().placement)
// is what `modelhost perf` prints.
//
// A run takes a DeviceRun (its stream, scratch memory) from the provider for its whole length;
// device kernels find it in KernelContext::device.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"
#include "engine/ir/tensor.h"

namespace modelhost::engine::exec {

class DeviceProvider {
 public:
  virtual ~DeviceProvider() = default;

  // "cuda:0 (NVIDIA H100 80GB HBM3, fp16)": for logs, `perf` and the placement report.
  virtual const std::string& name() const = 0;
  // The device's kernels, looked up like the CPU ones (domain, op type, opset).
  virtual const KernelRegistry& kernels() const = 0;

  // A device copy of a weight, made once at load time; the returned tensor keeps it alive.
  virtual Result<Tensor> upload(const Tensor& host) const = 0;
  // The kernels of the copy steps the planner inserts: one input, one output, same dtype and
  // shape, host -> device and device -> host.
  virtual std::unique_ptr<Kernel> copy_to_device() const = 0;
  virtual std::unique_ptr<Kernel> copy_to_host() const = 0;

  // The device state of one run, taken before its first step and given back after its last.
  // end_run waits for the device's work to finish and returns the errors kernels flagged on the
  // device (an out-of-range Gather index, ...); the run's result is that error, if any.
  virtual Result<std::unique_ptr<DeviceRun>> begin_run() const = 0;
  virtual Status end_run(std::unique_ptr<DeviceRun> run) const = 0;
  // Waits for the work queued so far (per-op profiles time each step to its end).
  virtual Status synchronize(DeviceRun& run) const = 0;
};

}  // namespace modelhost::engine::exec
