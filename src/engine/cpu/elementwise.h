// Shared machinery for elementwise CPU kernels: numpy-style multidirectional broadcasting for
// binary ops, a parallel map for unary ops, and the kernel classes the op files instantiate.
// Each op still lives in its own file (add.cc, relu.cc, ...) with its own registration.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "common/status.h"
#include "engine/exec/kernel.h"
#include "engine/ir/tensor.h"
#include "engine/ir/tensor_alloc.h"

namespace modelhost::engine::cpu {

// `donated` when it is x's own buffer handed over by the executor (x dies at this node, nothing
// else sees it): an elementwise op may then write its result over x. Otherwise a new buffer.
inline Tensor output_over(const Tensor& donated, const Tensor& x, DataType dtype,
                          const Shape& shape) {
  if (donated.defined() && donated.raw_data() == x.raw_data() && x.dtype() == dtype &&
      donated.dtype() == dtype && x.shape() == shape && donated.shape() == shape) {
    return donated;
  }
  return allocate_uninitialized(dtype, shape);
}

// The numpy broadcast of two shapes, or an error naming both.
Result<Shape> broadcast_shape(std::span<const int64_t> a, std::span<const int64_t> b);

// A broadcast of `a` and `b` to `out`, with dims of equal broadcast pattern merged, so that the
// common cases (same shape, scalar operand, bias row) become one or two long contiguous runs.
struct BroadcastPlan {
  std::vector<int64_t> dims;      // merged output dims, innermost last
  std::vector<int64_t> a_stride;  // element strides into a per merged dim (0 = broadcast)
  std::vector<int64_t> b_stride;
  int64_t num_elements = 0;
};
BroadcastPlan plan_broadcast(std::span<const int64_t> a, std::span<const int64_t> b,
                             std::span<const int64_t> out);

// out[i] = op(a[ia], b[ib]) over the plan, split across the pool.
template <typename T, typename R, typename Op>
void broadcast_apply(const BroadcastPlan& plan, const T* a, const T* b, R* out, Op op,
                     const exec::KernelContext& ctx) {
  const size_t rank = plan.dims.size();
  const int64_t inner = plan.dims.back();
  const int64_t sa = plan.a_stride.back();
  const int64_t sb = plan.b_stride.back();
  exec::parallel_for(ctx, plan.num_elements, 1 << 15, [&](int64_t begin, int64_t end) {
    int64_t idx = begin;
    while (idx < end) {
      int64_t outer = idx / inner;
      const int64_t j = idx % inner;
      const int64_t count = std::min(inner - j, end - idx);
      int64_t ao = j * sa;
      int64_t bo = j * sb;
      for (size_t d = rank - 1; d-- > 0;) {
        const int64_t i = outer % plan.dims[d];
        outer /= plan.dims[d];
        ao += i * plan.a_stride[d];
        bo += i * plan.b_stride[d];
      }
      const T* pa = a + ao;
      const T* pb = b + bo;
      R* po = out + idx;
      // Separate loops per stride pattern keep each one vectorizable.
      if (sa == 1 && sb == 1) {
        for (int64_t k = 0; k < count; ++k) po[k] = op(pa[k], pb[k]);
      } else if (sa == 1) {
        const T vb = pb[0];
        for (int64_t k = 0; k < count; ++k) po[k] = op(pa[k], vb);
      } else if (sb == 1) {
        const T va = pa[0];
        for (int64_t k = 0; k < count; ++k) po[k] = op(va, pb[k]);
      } else {
        const R v = op(pa[0], pb[0]);
        for (int64_t k = 0; k < count; ++k) po[k] = v;
      }
      idx += count;
    }
  });
}

// Binary arithmetic op: Op must provide `template <typename T> T operator()(T, T) const` and
// `template <typename T> static Status check(const Tensor& a, const Tensor& b)`.
struct ArithmeticOpBase {
  template <typename T>
  static Status check(const Tensor&, const Tensor&) {
    return Status::ok_status();
  }
};

// float16 / bfloat16 tensors converted to and from float32 (round to nearest even), for kernels
// that compute half-precision inputs in float32.
Result<Tensor> half_to_float32(const exec::KernelContext& ctx, const Tensor& t);
Result<Tensor> float32_to_half(const exec::KernelContext& ctx, const Tensor& t, DataType to);

// Every numeric dtype: floats in their own type (float16 / bfloat16 in float32), integers in
// their own type.
template <typename Op>
class BinaryArithmeticKernel final : public exec::Kernel {
 public:
  explicit BinaryArithmeticKernel(const char* op_name) : op_name_(op_name) {}

  // The dtypes compute() handles.
  static constexpr DataType kTypes[] = {DataType::kFloat32,  DataType::kFloat64, DataType::kFloat16,
                                        DataType::kBFloat16, DataType::kInt8,    DataType::kInt16,
                                        DataType::kInt32,    DataType::kInt64,   DataType::kUInt8,
                                        DataType::kUInt16,   DataType::kUInt32,  DataType::kUInt64};

  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    RETURN_IF_ERROR(exec::check_dtype(inputs[0], 0, op_name_, kTypes));
    RETURN_IF_ERROR(exec::check_dtype(inputs[1], 1, op_name_, kTypes));
    const bool both = inputs[0] != DataType::kUndefined && inputs[1] != DataType::kUndefined;
    if (both && inputs[0] != inputs[1]) {
      return invalid_argument(
          "inputs have different dtypes: " + std::string(dtype_name(inputs[0])) + " and " +
          std::string(dtype_name(inputs[1])));
    }
    outputs[0] = inputs[0] != DataType::kUndefined ? inputs[0] : inputs[1];
    return Status::ok_status();
  }

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& a = *inputs[0];
    const Tensor& b = *inputs[1];
    RETURN_IF_ERROR(exec::check_same_dtype(a, b));
    switch (a.dtype()) {
      case DataType::kFloat32:
        return run<float>(ctx, a, b, outputs[0]);
      case DataType::kFloat64:
        return run<double>(ctx, a, b, outputs[0]);
      case DataType::kInt8:
        return run<int8_t>(ctx, a, b, outputs[0]);
      case DataType::kInt16:
        return run<int16_t>(ctx, a, b, outputs[0]);
      case DataType::kInt32:
        return run<int32_t>(ctx, a, b, outputs[0]);
      case DataType::kInt64:
        return run<int64_t>(ctx, a, b, outputs[0]);
      case DataType::kUInt8:
        return run<uint8_t>(ctx, a, b, outputs[0]);
      case DataType::kUInt16:
        return run<uint16_t>(ctx, a, b, outputs[0]);
      case DataType::kUInt32:
        return run<uint32_t>(ctx, a, b, outputs[0]);
      case DataType::kUInt64:
        return run<uint64_t>(ctx, a, b, outputs[0]);
      case DataType::kFloat16:
      case DataType::kBFloat16: {
        ASSIGN_OR_RETURN(Tensor fa, half_to_float32(ctx, a));
        ASSIGN_OR_RETURN(Tensor fb, half_to_float32(ctx, b));
        Tensor fout;
        RETURN_IF_ERROR(run<float>(ctx, fa, fb, fout));
        ASSIGN_OR_RETURN(outputs[0], float32_to_half(ctx, fout, a.dtype()));
        return Status::ok_status();
      }
      default:
        return exec::check_dtype(a.dtype(), 0, op_name_, kTypes);
    }
  }

 private:
  template <typename T>
  Status run(const exec::KernelContext& ctx, const Tensor& a, const Tensor& b, Tensor& out) const {
    RETURN_IF_ERROR(Op::template check<T>(a, b));
    ASSIGN_OR_RETURN(Shape shape, broadcast_shape(a.shape(), b.shape()));
    RETURN_IF_ERROR(checked_num_elements(shape, sizeof(T)).status());
    // In place over a dying input of the output's shape when the executor donated it.
    out = output_over(out, out.raw_data() == b.raw_data() ? b : a, a.dtype(), shape);
    if (out.num_elements() == 0) return Status::ok_status();
    BroadcastPlan plan = plan_broadcast(a.shape(), b.shape(), shape);
    broadcast_apply(plan, a.data<T>(), b.data<T>(), out.mutable_data<T>(), Op(), ctx);
    return Status::ok_status();
  }

  const char* op_name_;
};

template <typename Op>
exec::KernelFactory binary_arithmetic_factory(const char* op_name) {
  return [op_name](const ir::Node& node) -> Result<std::unique_ptr<exec::Kernel>> {
    RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
    return exec::make_kernel<BinaryArithmeticKernel<Op>>(op_name);
  };
}

// Integer arithmetic that wraps instead of overflowing (signed overflow is undefined in C++).
// Types narrower than unsigned int are computed in unsigned int, since their unsigned type would
// promote to (signed) int: 65535 * 65535 overflows int.
template <typename T, typename F>
T wrapping(T a, T b, F f) {
  using U = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;
  return static_cast<T>(f(static_cast<U>(a), static_cast<U>(b)));
}

// Unary elementwise op: out = f(x) over the whole tensor, split across the pool. `out` is the
// kernel's output slot: when the executor donated x's buffer there, the result overwrites x.
template <typename T, typename F>
Tensor unary_map(const exec::KernelContext& ctx, const Tensor& x, const Tensor& donated, F f) {
  Tensor out = output_over(donated, x, x.dtype(), x.shape());
  const T* in = x.data<T>();
  T* o = out.mutable_data<T>();
  exec::parallel_for(ctx, x.num_elements(), 1 << 14, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) o[i] = f(in[i]);
  });
  return out;
}

// A kernel for a one-input, one-output op implemented by `Compute(ctx, x, out)`. A Compute that
// declares `static constexpr const char* kName` and `static constexpr DataType kTypes[]` (the
// dtypes it computes, output dtype = input dtype) gets its dtype checked at load time too.
template <typename Compute>
class UnaryKernel final : public exec::Kernel {
 public:
  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    return Compute()(ctx, *inputs[0], outputs[0]);
  }
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    if constexpr (requires { Compute::kTypes; }) {
      RETURN_IF_ERROR(exec::check_dtype(inputs[0], 0, Compute::kName, Compute::kTypes));
      outputs[0] = inputs[0];
    }
    return Status::ok_status();
  }
};

template <typename Compute>
Result<std::unique_ptr<exec::Kernel>> make_unary(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  return exec::make_kernel<UnaryKernel<Compute>>();
}

}  // namespace modelhost::engine::cpu
