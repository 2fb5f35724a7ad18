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
};



struct SessionOptions {
  // Intra-op threads for this session's kernels, the calling thread included: 1 runs every op
  // on the calling thread, 0 uses one per hardware thread. Negative values are an error.
  int intra_op_threads = 1;
  // Run the graph passes of engine/opt (constant folding, dead-node elimination) at load time.
  bool optimize = true;
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

  virtual const ModelSignature& signature() const = 0;
  // Empty by default, so test doubles of Session need not provide it.
  virtual const ModelMetadata& metadata() const;
};

}  // namespace modelhost::engine
