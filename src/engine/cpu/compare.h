// Shared machinery for comparison and logic ops (Equal, Less, And, Where, ...) and for the
// variadic broadcasting ops (Max, Min, Sum, Mean): kernels over every numeric dtype, bool outputs,
// and broadcasting across more than two inputs.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "common/status.h"
#include "engine/cpu/elementwise.h"
#include "engine/cpu/unary.h"
#include "engine/exec/kernel.h"
#include "engine/ir/tensor.h"

namespace modelhost::engine::cpu {

// Element strides of a tensor of shape `in` read as broadcast to `out` (0 along broadcast dims).
inline std::vector<int64_t> broadcast_strides(std::span<const int64_t> in,
                                              std::span<const int64_t> out) {
  std::vector<int64_t> strides(out.size(), 0);
  int64_t s = 1;
  for (size_t i = in.size(); i-- > 0;) {
    const size_t o = i + (out.size() - in.size());
    strides[o] = in[i] == 1 ? 0 : s;
    s *= in[i];
  }
  return strides;
}

// Binary op over numeric dtypes (and bool where allowed), broadcasting, with output element type
// R: bool for comparisons, or the input type when R is void. float16 / bfloat16 inputs are
// compared in float32. Op: `template <typename T> auto operator()(T a, T b) const`.
template <typename Op, typename R>
class BroadcastBinaryKernel final : public exec::Kernel {
 public:
  BroadcastBinaryKernel(const char* op, std::vector<DataType> allowed)
      : op_(op), allowed_(std::move(allowed)) {}

  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    RETURN_IF_ERROR(exec::propagate_dtype(inputs, outputs, 0, 1));
    RETURN_IF_ERROR(exec::check_dtype(outputs[0], 0, op_, allowed_));
    if constexpr (!std::is_void_v<R>) outputs[0] = DataTypeOf<R>::value;
    return Status::ok_status();
  }

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    RETURN_IF_ERROR(exec::check_same_dtype(*inputs[0], *inputs[1]));
    bool ok = false;
    for (DataType dt : allowed_) ok = ok || dt == inputs[0]->dtype();
    if (!ok) return unsupported_dtype(*inputs[0], 0, op_, allowed_);
    const DataType dt = inputs[0]->dtype();
    if (dt == DataType::kFloat16 || dt == DataType::kBFloat16) {
      ASSIGN_OR_RETURN(Tensor a, convert_tensor(ctx, *inputs[0], DataType::kFloat32));
      ASSIGN_OR_RETURN(Tensor b, convert_tensor(ctx, *inputs[1], DataType::kFloat32));
      RETURN_IF_ERROR(run<float>(ctx, a, b, outputs[0]));
      if constexpr (std::is_void_v<R>) {
        ASSIGN_OR_RETURN(outputs[0], convert_tensor(ctx, outputs[0], dt));
      }
      return Status::ok_status();
    }
    return visit_dtype(
        dt,
        [&]<typename T>() -> Status {
          if constexpr (kIsHalfLike<T>) {
            return internal_error("unreachable");
          } else {
            return run<T>(ctx, *inputs[0], *inputs[1], outputs[0]);
          }
        },
        [&]() -> Status { return unsupported_dtype(*inputs[0], 0, op_, allowed_); });
  }

 private:
  template <typename T>
  Status run(const exec::KernelContext& ctx, const Tensor& a, const Tensor& b, Tensor& out) const {
    using Out = std::conditional_t<std::is_void_v<R>, T, R>;
    ASSIGN_OR_RETURN(Shape shape, broadcast_shape(a.shape(), b.shape()));
    RETURN_IF_ERROR(checked_num_elements(shape, sizeof(T)).status());
    out = Tensor::allocate(DataTypeOf<Out>::value, shape);
    if (out.num_elements() == 0) return Status::ok_status();
    BroadcastPlan plan = plan_broadcast(a.shape(), b.shape(), shape);
    broadcast_apply(plan, a.data<T>(), b.data<T>(), out.mutable_data<Out>(), Op(), ctx);
    return Status::ok_status();
  }

  const char* op_;
  std::vector<DataType> allowed_;
};

inline std::vector<DataType> numeric_types(bool with_bool) {
  std::vector<DataType> v(std::begin(kNumericTypes), std::end(kNumericTypes));
  if (with_bool) v.push_back(DataType::kBool);
  return v;
}

template <typename Op, typename R>
exec::KernelFactory broadcast_binary_factory(const char* op, std::vector<DataType> allowed) {
  return [op, allowed](const ir::Node& node) -> Result<std::unique_ptr<exec::Kernel>> {
    RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
    RETURN_IF_ERROR(exec::check_attributes(node, {}));
    return exec::make_kernel<BroadcastBinaryKernel<Op, R>>(op, allowed);
  };
}

// Max / Min / Sum / Mean: op folded over 1..N inputs with broadcasting; Mean divides by N at the
// end. float16 / bfloat16 are computed in float32.
template <typename Op, bool kMean>
class VariadicKernel final : public exec::Kernel {
 public:
  VariadicKernel(const char* op, std::vector<DataType> allowed)
      : op_(op), allowed_(std::move(allowed)) {}

  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    RETURN_IF_ERROR(exec::check_dtype(inputs[0], 0, op_, allowed_));
    return exec::propagate_dtype(inputs, outputs, 0, inputs.size());
  }

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const DataType dt = inputs[0]->dtype();
    bool ok = false;
    for (DataType a : allowed_) ok = ok || a == dt;
    if (!ok) return unsupported_dtype(*inputs[0], 0, op_, allowed_);
    for (size_t i = 1; i < inputs.size(); ++i) {
      RETURN_IF_ERROR(exec::check_same_dtype(*inputs[0], *inputs[i]));
    }
    if (dt == DataType::kFloat16 || dt == DataType::kBFloat16) {
      std::vector<Tensor> converted;
      std::vector<const Tensor*> ptrs;
      converted.reserve(inputs.size());
      for (const Tensor* t : inputs) {
        ASSIGN_OR_RETURN(Tensor c, convert_tensor(ctx, *t, DataType::kFloat32));
        converted.push_back(std::move(c));
      }
      for (const Tensor& t : converted) ptrs.push_back(&t);
      RETURN_IF_ERROR(run<float>(ctx, ptrs, outputs[0]));
      ASSIGN_OR_RETURN(outputs[0], convert_tensor(ctx, outputs[0], dt));
      return Status::ok_status();
    }
    return visit_dtype(
        dt,
        [&]<typename T>() -> Status {
          if constexpr (kIsHalfLike<T> || std::is_same_v<T, bool>) {
            return unsupported_dtype(*inputs[0], 0, op_, allowed_);
          } else {
            return run<T>(ctx, inputs, outputs[0]);
          }
        },
        [&]() -> Status { return unsupported_dtype(*inputs[0], 0, op_, allowed_); });
  }

 private:
  template <typename T>
  Status run(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
             Tensor& out) const {
    Tensor acc = *inputs[0];
    if (inputs.size() == 1) {
      acc = Tensor::allocate(inputs[0]->dtype(), inputs[0]->shape());
      if (acc.byte_size() > 0)
        std::memcpy(acc.mutable_raw_data(), inputs[0]->raw_data(), acc.byte_size());
    }
    for (size_t i = 1; i < inputs.size(); ++i) {
      const Tensor& b = *inputs[i];
      ASSIGN_OR_RETURN(Shape shape, broadcast_shape(acc.shape(), b.shape()));
      RETURN_IF_ERROR(checked_num_elements(shape, sizeof(T)).status());
      Tensor next = Tensor::allocate(acc.dtype(), shape);
      if (next.num_elements() > 0) {
        BroadcastPlan plan = plan_broadcast(acc.shape(), b.shape(), shape);
        broadcast_apply(plan, acc.data<T>(), b.data<T>(), next.mutable_data<T>(), Op(), ctx);
      }
      acc = std::move(next);
    }
    if constexpr (kMean) {
      T* p = acc.mutable_data<T>();
      const T n = static_cast<T>(inputs.size());
      for (int64_t i = 0; i < acc.num_elements(); ++i) p[i] = static_cast<T>(p[i] / n);
    }
    out = std::move(acc);
    return Status::ok_status();
  }

  const char* op_;
  std::vector<DataType> allowed_;
};

template <typename Op, bool kMean>
exec::KernelFactory variadic_factory(const char* op, std::vector<DataType> allowed) {
  return [op, allowed](const ir::Node& node) -> Result<std::unique_ptr<exec::Kernel>> {
    if (node.inputs.empty()) return invalid_argument("expected at least 1 input, got 0");
    RETURN_IF_ERROR(exec::check_arity(node, node.inputs.size(), node.inputs.size()));
    RETURN_IF_ERROR(exec::check_attributes(node, {}));
    return exec::make_kernel<VariadicKernel<Op, kMean>>(op, allowed);
  };
}

}  // namespace modelhost::engine::cpu
