// The Softmax-shaped ops (LogSoftmax, Hardmax): a function applied to each "row" of `n` values
// spaced `inner` apart, where a row is either the input coerced to 2-D at `axis` (opset < 13) or
// the single dim `axis` (opset 13+). `Row` is a functor: row(in, out, n, inner).
#pragma once

#include <algorithm>
#include <string>

#include "common/status.h"
#include "engine/exec/kernel.h"
#include "engine/ir/graph.h"

namespace modelhost::engine::cpu {

template <typename Row>
class AxisRowKernel final : public exec::Kernel {
 public:
  AxisRowKernel(std::string op, int64_t axis, bool coerce_2d)
      : op_(std::move(op)), axis_(axis), coerce_2d_(coerce_2d) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    RETURN_IF_ERROR(exec::check_dtype(x, 0, op_, {DataType::kFloat32, DataType::kFloat64}));
    const int64_t rank = x.rank();
    int64_t axis = axis_;
    if (!(coerce_2d_ && axis == rank)) {
      ASSIGN_OR_RETURN(axis, exec::normalize_axis(axis_, std::max<int64_t>(rank, 1)));
    }
    int64_t outer = 1, n = 1, inner = 1;
    for (int64_t i = 0; i < rank; ++i) {
      const int64_t v = x.shape()[static_cast<size_t>(i)];
      if (i < axis)
        outer *= v;
      else if (coerce_2d_ || i == axis)
        n *= v;
      else
        inner *= v;
    }
    Tensor y = Tensor::allocate(x.dtype(), x.shape());
    if (y.num_elements() > 0) {
      if (x.dtype() == DataType::kFloat32) {
        run(x.data<float>(), y.mutable_data<float>(), outer, n, inner, ctx);
      } else {
        run(x.data<double>(), y.mutable_data<double>(), outer, n, inner, ctx);
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  template <typename T>
  static void run(const T* x, T* y, int64_t outer, int64_t n, int64_t inner,
                  const exec::KernelContext& ctx) {
    exec::parallel_for(ctx, outer * inner, std::max<int64_t>(1, 4096 / std::max<int64_t>(n, 1)),
                       [&](int64_t v0, int64_t v1) {
                         for (int64_t v = v0; v < v1; ++v) {
                           const int64_t base = (v / inner) * n * inner + (v % inner);
                           Row()(x + base, y + base, n, inner);
                         }
                       });
  }

  std::string op_;
  int64_t axis_;
  bool coerce_2d_;
};

template <typename Row>
Result<std::unique_ptr<exec::Kernel>> make_axis_row_kernel(const ir::Node& node,
                                                           const std::string& op, bool coerce_2d) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"axis"}));
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", coerce_2d ? 1 : -1));
  return exec::make_kernel<AxisRowKernel<Row>>(op, axis, coerce_2d);
}

}  // namespace modelhost::engine::cpu
