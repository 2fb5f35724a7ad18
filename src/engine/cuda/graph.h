// CUDA Graphs: the launches a run makes on a stream, captured once and replayed with one call,
// which removes the per-kernel launch cost for fixed shapes (one graph per batch-size bucket).
#pragma once

#include <cuda_runtime_api.h>

#include <functional>

#include "common/status.h"

namespace modelhost::engine::cuda {

class CapturedGraph {
 public:
  // Runs `work` on `stream` in capture mode (nothing executes) and instantiates the result.
  static Result<CapturedGraph> capture(cudaStream_t stream, const std::function<Status()>& work);
  CapturedGraph(CapturedGraph&& other) noexcept;
  CapturedGraph& operator=(CapturedGraph&& other) noexcept;
  ~CapturedGraph();

  // Launches the captured work on `stream` (same buffers, same shapes).
  Status replay(cudaStream_t stream) const;
  size_t nodes() const { return nodes_; }

 private:
  CapturedGraph(cudaGraph_t g, cudaGraphExec_t e, size_t n) : graph_(g), exec_(e), nodes_(n) {}
  cudaGraph_t graph_ = nullptr;
  cudaGraphExec_t exec_ = nullptr;
  size_t nodes_ = 0;
};

}  // namespace modelhost::engine::cuda
