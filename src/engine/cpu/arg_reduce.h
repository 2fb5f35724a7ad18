// ArgMax / ArgMin: the index (int64) of the extreme value along `axis`, keepdims,
// select_last_index (opset 12+) choosing the last of equal extremes instead of the first.
#pragma once

#include <cmath>
#include <string>

#include "common/status.h"
#include "engine/exec/kernel.h"
#include "engine/ir/graph.h"

namespace modelhost::engine::cpu {

template <typename T>
void arg_reduce(const T* x, int64_t* y, int64_t outer, int64_t n, int64_t inner, bool is_max,
                bool last) {
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const T* p = x + o * n * inner + i;
      int64_t best = 0;
      T bv = p[0];
      for (int64_t k = 1; k < n; ++k) {
        const T v = p[k * inner];
        const bool better = is_max ? (last ? v >= bv : v > bv) : (last ? v <= bv : v < bv);
        if (better) {
          best = k;
          bv = v;
        }
      }
      y[o * inner + i] = best;
    }
  }
}

class ArgReduceKernel final : public exec::Kernel {
 public:
  ArgReduceKernel(std::string op, bool is_max, int64_t axis, bool keepdims, bool last)
      : op_(std::move(op)), is_max_(is_max), axis_(axis), keepdims_(keepdims), last_(last) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    RETURN_IF_ERROR(exec::check_dtype(
        x, 0, op_, {DataType::kFloat32, DataType::kFloat64, DataType::kInt32, DataType::kInt64}));
    const int64_t rank = x.rank();
    ASSIGN_OR_RETURN(int64_t axis, exec::normalize_axis(axis_, std::max<int64_t>(rank, 1)));
    int64_t outer = 1, n = 1, inner = 1;
    Shape out_shape;
    for (int64_t d = 0; d < rank; ++d) {
      const int64_t v = x.shape()[static_cast<size_t>(d)];
      if (d < axis) outer *= v;
      if (d > axis) inner *= v;
      if (d == axis) {
        n = v;
        if (keepdims_) out_shape.push_back(1);
      } else {
        out_shape.push_back(v);
      }
    }
    if (n == 0 && x.num_elements() == 0 && outer * inner > 0) {
      return invalid_argument(op_ + " over an empty axis");
    }
    Tensor y = Tensor::allocate(DataType::kInt64, out_shape);
    if (y.num_elements() > 0) {
      int64_t* out = y.mutable_data<int64_t>();
      switch (x.dtype()) {
        case DataType::kFloat32:
          arg_reduce(x.data<float>(), out, outer, n, inner, is_max_, last_);
          break;
        case DataType::kFloat64:
          arg_reduce(x.data<double>(), out, outer, n, inner, is_max_, last_);
          break;
        case DataType::kInt32:
          arg_reduce(x.data<int32_t>(), out, outer, n, inner, is_max_, last_);
          break;
        default:
          arg_reduce(x.data<int64_t>(), out, outer, n, inner, is_max_, last_);
          break;
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  std::string op_;
  bool is_max_;
  int64_t axis_;
  bool keepdims_, last_;
};

inline Result<std::unique_ptr<exec::Kernel>> make_arg_reduce(const ir::Node& node,
                                                             const std::string& op, bool is_max) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  if (node.opset >= 12) {
    RETURN_IF_ERROR(exec::check_attributes(node, {"axis", "keepdims", "select_last_index"}));
  } else {
    RETURN_IF_ERROR(exec::check_attributes(node, {"axis", "keepdims"}));
  }
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", 0));
  ASSIGN_OR_RETURN(int64_t keepdims, node.attributes.get_int("keepdims", 1));
  ASSIGN_OR_RETURN(int64_t last, node.attributes.get_int("select_last_index", 0));
  return exec::make_kernel<ArgReduceKernel>(op, is_max, axis, keepdims != 0, last != 0);
}

}  // namespace modelhost::engine::cpu
