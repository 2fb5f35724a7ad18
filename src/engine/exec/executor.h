// Executor: a planned graph. Built once at load time; run() is const and re-entrant.
//
// Planning resolves a kernel for every node (checking the default-domain opset is one this engine
// supports), orders the nodes topologically (refusing cycles) and numbers every value with a
// slot, so that a run is a walk over a vector: no name lookups, no shared mutable state. A slot
// is released right after its last consumer so intermediates do not pile up, and an input that
// dies at a step is first offered to that step's kernel as its output buffer (in-place
// execution, see kernel.h) when nothing else holds it.
//
// With a DeviceProvider the planner also places every node on the device or the CPU and adds
// the copy steps between them (exec/device.h); the steps stay one flat list.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "engine/exec/device.h"
#include "engine/exec/kernel.h"
#include "engine/exec/session.h"
#include "engine/ir/graph.h"

namespace modelhost::engine::exec {

class Executor {
 public:
  // Errors name the node: `node "fc1" (op Foo, domain "", opset 13): no kernel for this op`.
  // With `device`, nodes are placed on it where it has a kernel for them (see device.h) and
  // `placement`, when given, says where each went. With `graphs` and a device that supports
  // them, runs are captured and replayed (device.h).
  static Result<std::unique_ptr<Executor>> create(const ir::Graph& graph,
                                                  const DeviceProvider* device = nullptr,
                                                  ModelMetadata::Placement* placement = nullptr,
                                                  bool graphs = true);

  // `inputs` in graph.inputs order, already checked against the declared dtypes and shapes.
  // Returns graph.outputs in order. Thread-safe. With a `profile`, each step's kernel time is
  // added to it under the node's op type (steady_clock); null costs one branch per step.
  Result<std::vector<Tensor>> run(std::span<const Tensor> inputs, const KernelContext& ctx,
                                  OpProfile* profile = nullptr) const;

  // Initializers (device copies of weights included), for callers that need to know which
  // buffers belong to the model.
  const std::vector<std::pair<int, Tensor>>& constants() const { return constants_; }

 private:
  struct Step {
    std::unique_ptr<Kernel> kernel;
    std::vector<int> inputs;       // slot per node input; -1 for an omitted optional input
    std::vector<int> outputs;      // slot per node output; -1 for an omitted optional output
    std::vector<int> release;      // slots whose last consumer is this step
    std::vector<int> donors;       // released input slots of this step: in-place candidates
    std::string label;             // describe_node(), for run-time errors
    std::string op_type;           // the profile key
    bool on_device = false;        // a device kernel (or a copy to the device)
    bool copy_in = false;          // a copy step to the device
    uint64_t metadata_inputs = 0;  // KernelDef's: inputs read for their shape only
    bool view = false;             // KernelDef's output_views_input0
  };

  Executor() = default;

  // Why the plan cannot be captured as a graph; empty when it can (sets capture_end_ and
  // after_slots_).
  std::string plan_graph();
  Status run_steps(size_t begin, size_t end, std::vector<Tensor>& values, const KernelContext& ctx,
                   OpProfile* profile, std::vector<Tensor>* keep) const;
  Result<std::vector<Tensor>> run_graph(std::span<const Tensor> inputs,
                                        const KernelContext& ctx) const;
  Result<std::vector<Tensor>> collect_outputs(const std::vector<Tensor>& values) const;

  bool graphs_ = false;     // capture and replay runs (device.h)
  size_t capture_end_ = 0;  // steps [0, capture_end_) are captured; the rest (copies out) are not
  std::vector<int> after_slots_;  // values made before capture_end_ that later steps read

  const DeviceProvider* device_ = nullptr;
  std::vector<Step> steps_;
  int num_slots_ = 0;
  std::vector<std::pair<int, Tensor>> constants_;
  std::vector<int> input_slots_;
  std::vector<int> output_slots_;
};

}  // namespace modelhost::engine::exec
