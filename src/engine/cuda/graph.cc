// See graph.h.
#include "engine/cuda/graph.h"

#include <utility>

#include "engine/cuda/runtime.h"

namespace modelhost::engine::cuda {

Result<CapturedGraph> CapturedGraph::capture(cudaStream_t stream,
                                             const std::function<Status()>& work) {
  MODELHOST_CUDA_RETURN_IF_ERROR(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal),
                                 "cudaStreamBeginCapture");
  Status st = work();
  cudaGraph_t graph = nullptr;
  const cudaError_t end = cudaStreamEndCapture(stream, &graph);
  if (!st.ok()) {
    if (graph != nullptr) cudaGraphDestroy(graph);
    return st;
  }
  MODELHOST_CUDA_RETURN_IF_ERROR(end, "cudaStreamEndCapture");
  size_t nodes = 0;
  cudaGraphGetNodes(graph, nullptr, &nodes);
  cudaGraphExec_t exec = nullptr;
  if (cudaError_t err = cudaGraphInstantiate(&exec, graph, 0); err != cudaSuccess) {
    cudaGraphDestroy(graph);
    return cuda_status(err, "cudaGraphInstantiate");
  }
  return CapturedGraph(graph, exec, nodes);
}

CapturedGraph::CapturedGraph(CapturedGraph&& other) noexcept
    : graph_(std::exchange(other.graph_, nullptr)),
      exec_(std::exchange(other.exec_, nullptr)),
      nodes_(other.nodes_) {}

CapturedGraph& CapturedGraph::operator=(CapturedGraph&& other) noexcept {
  if (this != &other) {
    this->~CapturedGraph();
    graph_ = std::exchange(other.graph_, nullptr);
    exec_ = std::exchange(other.exec_, nullptr);
    nodes_ = other.nodes_;
  }
  return *this;
}

CapturedGraph::~CapturedGraph() {
  if (exec_ != nullptr) cudaGraphExecDestroy(exec_);
  if (graph_ != nullptr) cudaGraphDestroy(graph_);
}

Status CapturedGraph::replay(cudaStream_t stream) const {
  return cuda_status(cudaGraphLaunch(exec_, stream), "cudaGraphLaunch");
}

}  // namespace modelhost::engine::cuda
