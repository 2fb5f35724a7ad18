// Session: the engine's public face. Load a model once, run it many times, from many threads.
//
//   ASSIGN_OR_RETURN(auto session, Session::create("model.onnx", {}));
//   ASSIGN_OR_RETURN(auto outputs, session->run(inputs));
//
// create() does all validation (ops, opsets, initializers, cycles, external data) so that a
// model that loads never fails at its first request for a structural reason. run() is const and
// thread-safe: each call has its own intermediate buffers; weights are shared.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/ir/tensor.h"

namespace modelhost::engine {

namespace exec {
class DeviceProvider;
}

struct TensorInfo {
  std::string name;
  DataType dtype = DataType::kUndefined;
  // -1 marks a dimension not fixed by the model (symbolic or unknown).
  Shape shape;
};

struct ModelSignature {
  std::vector<TensorInfo> inputs;
  std::vector<TensorInfo> outputs;
  // True when every input and output has a leading dim of -1 that the graph treats as batch,
  // i.e. rows along dim 0 can be concatenated and split back. Derived from the signature.
  bool batchable = false;
};

// Facts about the loaded model, for logs and the dashboard.
struct ModelMetadata {
  int64_t opset = 0;  // imported opset of the default ONNX domain
  int64_t ir_version = 0;
  std::string producer_name;
  std::map<std::string, int64_t> op_counts;  // op_type -> nodes, as loaded
  // What each graph pass did: node counts before/after and op counts after it.
  struct Pass {
    std::string name;
    int64_t nodes_before = 0, nodes_after = 0;
    std::map<std::string, int64_t> op_counts;
  };
  std::vector<Pass> passes;
  // Graph input name -> the dim_param of each dim ("" where the model gives a value or nothing).
  std::map<std::string, std::vector<std::string>> input_dim_params;
  // Each graph output's shape as inferred at load time from the inputs' declared shapes
  // (exec/shape_inference.h): -1 for a dim known only at run time, its symbol ("batch") in
  // `symbols` where it equals an input's named dim; has_shape false where not even the rank is.
  struct InferredShape {
    std::string name;
    bool has_shape = false;
    Shape shape;
    std::vector<std::string> symbols;
  };
  std::vector<InferredShape> output_shapes;
  // Where the nodes run, for a session with a device (exec/device.h); empty `device` otherwise.
  struct Placement {
    std::string device;
    int64_t device_nodes = 0;  // views of device tensors (Reshape, ...) included
    struct CpuNode {
      std::string node;     // describe_node()
      std::string op_type;  // the node's op, for grouping
      std::string reason;   // why not on the device
    };
    std::vector<CpuNode> cpu_nodes;
    struct Copy {
      std::string value;
      bool to_device = true;
    };
    std::vector<Copy> copies;  // the copy steps of every run
    int64_t uploaded_weights = 0;
    int64_t uploaded_bytes = 0;
    // Whether runs are captured as graphs and replayed (exec/device.h), or why not.
    std::string graphs;
  };
  Placement placement;
};

// Where the time of a run goes, per op type, summed over the runs that filled it. Filled by
// Session::run_profiled; one profile belongs to one caller (not shared between concurrent runs).
struct OpProfile {
  struct OpTime {
    double total_ms = 0;  // wall time inside this op type's kernels
    int64_t calls = 0;    // kernel invocations
  };
  std::map<std::string, OpTime> by_op_type;
  int64_t runs = 0;   // runs that added to this profile
  double run_ms = 0;  // wall time of those runs inside the executor (ops + bookkeeping)
};

// Memory a session holds, for `modelhost perf` and the load log.
struct MemoryStats {
  size_t weight_bytes = 0;         // the model's weights, shared by all runs
  size_t device_weight_bytes = 0;  // their copies on the session's device
  size_t peak_arena_bytes = 0;     // the most one run's intermediates and outputs held at once
  size_t arena_bytes = 0;          // held by the arenas now (in use + cached for the next runs)
  size_t arenas = 0;               // one per run that was ever in flight at the same time
};

struct SessionOptions {
  // Intra-op threads for this session's kernels, the calling thread included: 1 runs every op
  // on the calling thread, 0 uses one per hardware thread. Negative values are an error.
  int intra_op_threads = 1;
  // Run the graph passes of engine/opt (constant folding, dead-node elimination) at load time.
  bool optimize = true;
  // Run on this device (engine/cuda/provider.h makes the CUDA one); null: on the CPU. Nodes the
  // device has no kernel for run on the CPU, with copies between (metadata().placement).
  std::shared_ptr<const exec::DeviceProvider> device;
  // On a device that supports them, capture each input shape's run once and replay it (CUDA
  // Graphs): the launch cost of every kernel goes.
  bool device_graphs = true;
};

class Session {
 public:
  virtual ~Session() = default;

  // Loads, validates and prepares the model at `model_path`. External data files are resolved
  // relative to the model's folder and must stay inside it.
  static Result<std::unique_ptr<Session>> create(const std::string& model_path,
                                                 const SessionOptions& options);

  // `inputs` in signature().inputs order; returns outputs in signature().outputs order. Checks
  // each input's dtype and shape against the signature and names the input in any error:
  //   input "x": expected float32 [-1,4], got int64 [2,4]
  // Thread-safe: any number of threads may call run() at once. The inputs are only read and may
  // be released once run() returns; outputs never share memory with them (they may share it
  // with the model's weights, so treat outputs as read-only).
  virtual Result<std::vector<Tensor>> run(std::span<const Tensor> inputs) const = 0;

  // run(), also adding the time of every op to `profile`. Each op costs two clock reads more, so
  // measure latency with run(). The default (used by test doubles) runs run() and adds nothing.
  virtual Result<std::vector<Tensor>> run_profiled(std::span<const Tensor> inputs,
                                                   OpProfile& profile) const;

  virtual const ModelSignature& signature() const = 0;
  // Zero by default, so test doubles of Session need not provide it.
  virtual MemoryStats memory_stats() const;
  // Empty by default, so test doubles of Session need not provide it.
  virtual const ModelMetadata& metadata() const;
};

}  // namespace modelhost::engine
