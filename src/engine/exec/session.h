// Session: the engine's public face. Load a model once, run it many times, from many threads.
//
//   ASSIGN_OR_RETURN(auto session, Session::create("model.onnx", {}));
//   ASSIGN_OR_RETURN(auto outputs, session->run(inputs));
//
// create() does all validation (ops, opsets, initializers, cycles, external data) so that a
// model that loads never fails at its first request for a structural reason. run() is const and
// thread-safe: each call has its own intermediate buffers; weights are shared.
#pragma once

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

struct SessionOptions {
  // Intra-op threads for this session's kernels; 1 runs every op on the calling thread.
  int intra_op_threads = 1;
};

class Session {
 public:
  virtual ~Session() = default;

  // Loads, validates and prepares the model at `model_path`. External data files are resolved
  // relative to the model's folder and must stay inside it.
  static Result<std::unique_ptr<Session>> create(const std::string& model_path,
                                                 const SessionOptions& options);

  // `inputs` in signature().inputs order; returns outputs in signature().outputs order. Checks
  // each input's dtype and shape against the signature and names the input in any error.
  virtual Result<std::vector<Tensor>> run(std::span<const Tensor> inputs) const = 0;

  virtual const ModelSignature& signature() const = 0;
};

}  // namespace modelhost::engine
