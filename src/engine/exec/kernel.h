// Kernel: one op's implementation for one backend, created per node at load time.
//
// A kernel's factory reads and validates the node's attributes and input count, so that every
// structural problem is a load error. compute() is const and is called concurrently from many
// runs: a kernel keeps no mutable state, only what its factory decoded.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "common/status.h"
#include "common/thread_pool.h"
#include "engine/ir/graph.h"
#include "engine/ir/tensor.h"

namespace modelhost::engine::exec {

// Opsets of the default domain that this engine loads.
inline constexpr int64_t kMinOpset = 7;
inline constexpr int64_t kMaxOpset = 24;

// A device's per-run state (stream, scratch memory), defined in exec/device.h.
struct DeviceRun;

struct KernelContext {
  // The session's intra-op pool; null runs everything on the calling thread.
  ThreadPool* pool = nullptr;
  // The run's device state when the session has a device; its kernels cast it to their own type.
  DeviceRun* device = nullptr;
};

// Runs fn over chunks of [0, n) of at least `min_chunk` items, on the pool when there is one.
inline void parallel_for(const KernelContext& ctx, int64_t n, int64_t min_chunk,
                         const std::function<void(int64_t, int64_t)>& fn) {
  if (ctx.pool == nullptr || ctx.pool->size() == 0 || n <= min_chunk) {
    if (n > 0) fn(0, n);
    return;
  }
  ctx.pool->parallel_for(n, min_chunk, fn);
}

class Kernel {
 public:
  virtual ~Kernel() = default;
  // `inputs` has one entry per node input, null for an omitted optional input; `outputs` has one
  // slot per node output, which the kernel fills. Errors (shape mismatches found at run time)
  // are returned without naming the node; the executor adds that.
  //
  // In place: outputs[0] may arrive holding one of the inputs (same buffer), donated by the
  // executor because that input dies at this node and no other tensor can see its buffer. A
  // kernel whose output element i depends only on element i of that input (elementwise ops,
  // cpu/elementwise.h's output_over) may write its result there; every other kernel just
  // overwrites the slot.
  virtual Status compute(const KernelContext& ctx, std::span<const Tensor* const> inputs,
                         std::span<Tensor> outputs) const = 0;

  // Load-time type rules. `inputs` holds each input's dtype where the planner knows it (declared
  // graph inputs, weights, outputs of kernels that said theirs) and kUndefined elsewhere and for
  // omitted inputs; `outputs` arrives all kUndefined. A kernel that knows its rules returns the
  // error compute() would give for a dtype it cannot compute, so the model fails to load instead
  // of failing its first request, and sets the output dtypes it can tell, so the check reaches
  // the nodes downstream. The default knows nothing: those dtypes are checked at run time.
  virtual Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const {
    return Status::ok_status();
  }
};

// infer_types of an op that moves data of any dtype (Reshape, Transpose, Gather's data, Concat,
// Where's branches, ...): every known dtype among inputs first..last (inclusive, clipped to the
// inputs) must agree, as they share one ONNX type parameter, and output 0 takes it.
Status propagate_dtype(std::span<const DataType> inputs, std::span<DataType> outputs,
                       size_t first = 0, size_t last = 0);

// infer_types of an op that computes float32 only: each known input dtype must be float32 (the
// error names the input as compute() would), and output 0 is float32.
Status float32_only(std::span<const DataType> inputs, std::span<DataType> outputs,
                    std::string_view op);

using KernelFactory = std::function<Result<std::unique_ptr<Kernel>>(const ir::Node& node)>;

// A factory's success value: make_kernel<ReluKernel>(args...).
template <typename K, typename... Args>
Result<std::unique_ptr<Kernel>> make_kernel(Args&&... args) {
  return std::unique_ptr<Kernel>(std::make_unique<K>(std::forward<Args>(args)...));
}

// Checks the node has between min and max inputs (the first `min_inputs` present) and between
// 1 and max_outputs outputs.
Status check_arity(const ir::Node& node, size_t min_inputs, size_t max_inputs,
                   size_t max_outputs = 1);

// Error naming the first attribute of `node` not in `known` (a typo or a newer opset's feature
// would otherwise be silently ignored).
Status check_attributes(const ir::Node& node, std::initializer_list<std::string_view> known);

// Error unless `t` has one of `allowed`: `input 1 has dtype int64; Gemm supports float32`.
Status check_dtype(const Tensor& t, size_t input_index, std::string_view op,
                   std::initializer_list<DataType> allowed);

// The same check on a dtype known at load time; kUndefined (not known) passes.
Status check_dtype(DataType dt, size_t input_index, std::string_view op,
                   std::span<const DataType> allowed);

// Error unless `a` and `b` have the same dtype (the ONNX type constraint of binary ops).
Status check_same_dtype(const Tensor& a, const Tensor& b);

// Normalizes a possibly negative axis for a tensor of `rank`, or says why it is out of range.
Result<int64_t> normalize_axis(int64_t axis, int64_t rank);

}  // namespace modelhost::engine::exec
