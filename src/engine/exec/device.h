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
//
// Graphs (CUDA Graphs): a provider that supports_graphs() can record the device work of a run and
// replay it with one call. The executor captures a run when its plan allows it (every node
// between the copies in and the copies out is a device node or host shape arithmetic, see
// Executor::graph_plan()) on the second run of the same input shapes on a DeviceRun's state, and
// replays it from then on: the inputs are staged into pinned host buffers at fixed addresses
// (the graph's copies read them there), the device arena hands out the same addresses on every
// run of the same shapes, and the copies out run after the replay. A capture that fails leaves
// that shape to ordinary runs.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"
#include "engine/ir/tensor.h"

namespace modelhost::engine::exec {

// At most this many input shapes are captured per run state; runs of further shapes are
// ordinary ones (a model with open sequence lengths can see any number of shapes).
inline constexpr size_t kMaxCapturedShapes = 64;

// A recorded run (a CUDA graph), made and replayed by its provider.
struct DeviceGraph {
  virtual ~DeviceGraph() = default;
};

// What the executor keeps of a captured run, per input shapes, with the run state it was captured
// on (the addresses in it are that state's).
struct CapturedRun {
  std::unique_ptr<DeviceGraph> graph;
  std::vector<Tensor> staged;                 // pinned copies of the inputs, which the graph reads
  std::vector<Tensor> keep;                   // host values (shape arithmetic) its copies read
  std::vector<std::pair<int, Tensor>> after;  // the values the steps after the graph read
  int runs = 0;                               // runs of these shapes seen
  bool failed = false;                        // capture failed: ordinary runs only
};

struct DeviceRun {
  virtual ~DeviceRun() = default;
  // The runs captured on this run's state, by executor and input shapes; null: no graphs.
  std::map<std::string, CapturedRun>* graphs = nullptr;
};

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

  // Graphs (see the top of this file); a provider without them keeps these defaults.
  virtual bool supports_graphs() const { return false; }
  // Runs `work` (which queues the run's device work) in capture mode and returns the recording;
  // nothing executes until replay().
  virtual Result<std::unique_ptr<DeviceGraph>> capture(DeviceRun& run,
                                                       const std::function<Status()>& work) const {
    return unimplemented("this device has no graphs");
  }
  virtual Status replay(DeviceRun& run, const DeviceGraph& graph) const {
    return unimplemented("this device has no graphs");
  }
  // A host copy of `t` in memory the device copies from at a fixed address (pinned).
  virtual Result<Tensor> pinned_copy(const Tensor& t) const {
    return unimplemented("this device has no pinned memory");
  }
};

}  // namespace modelhost::engine::exec
