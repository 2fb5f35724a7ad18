// Shared machinery for the Reduce* ops: axes from the attribute (older opsets) or the optional
// second input (ReduceSum 13+, the others 18+), keepdims, noop_with_empty_axes, and one strided
// reduction loop parameterized by an accumulator policy.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "common/status.h"
#include "engine/exec/kernel.h"
#include "engine/ir/graph.h"

namespace modelhost::engine::cpu {

enum class ReduceOp { kSum, kMean, kMax, kMin, kProd, kL1, kL2, kLogSum, kLogSumExp, kSumSquare };

// Normalized, sorted, de-duplicated axes, or an error for one out of range.
inline Result<std::vector<int64_t>> normalize_axes(std::vector<int64_t> axes, int64_t rank) {
  for (int64_t& a : axes) {
    ASSIGN_OR_RETURN(a, exec::normalize_axis(a, rank));
  }
  std::sort(axes.begin(), axes.end());
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return axes;
}

// out[o] = reduce over the input positions whose non-reduced coordinates are o. `reduced[d]`
// marks the reduced dims. Accumulates in double (float types) or int64 (integer types).
template <typename T>
void reduce_strided(ReduceOp op, const T* x, const Shape& shape, const std::vector<bool>& reduced,
                    T* y, int64_t out_count, const exec::KernelContext& ctx) {
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
  const size_t rank = shape.size();
  // Split dims into kept (output order) and reduced, with input strides.
  std::vector<int64_t> strides(rank, 1);
  for (size_t d = rank; d-- > 1;) strides[d - 1] = strides[d] * shape[d];
  std::vector<int64_t> kept_dims, kept_strides, red_dims, red_strides;
  int64_t red_count = 1;
  for (size_t d = 0; d < rank; ++d) {
    if (reduced[d]) {
      red_dims.push_back(shape[d]);
      red_strides.push_back(strides[d]);
      red_count *= shape[d];
    } else {
      kept_dims.push_back(shape[d]);
      kept_strides.push_back(strides[d]);
    }
  }
  exec::parallel_for(
      ctx, out_count, std::max<int64_t>(1, 16384 / std::max<int64_t>(red_count, 1)),
      [&](int64_t o0, int64_t o1) {
        std::vector<int64_t> idx(red_dims.size());
        for (int64_t o = o0; o < o1; ++o) {
          int64_t base = 0, rem = o;
          for (size_t k = kept_dims.size(); k-- > 0;) {
            base += (rem % kept_dims[k]) * kept_strides[k];
            rem /= kept_dims[k];
          }
          Acc acc{};
          double dacc = 0.0;
          double mx = -std::numeric_limits<double>::infinity();
          switch (op) {
            case ReduceOp::kMax:
              acc = std::numeric_limits<Acc>::lowest();
              if constexpr (std::is_floating_point_v<T>)
                acc = -std::numeric_limits<Acc>::infinity();
              break;
            case ReduceOp::kMin:
              acc = std::numeric_limits<Acc>::max();
              if constexpr (std::is_floating_point_v<T>) acc = std::numeric_limits<Acc>::infinity();
              break;
            case ReduceOp::kProd:
              acc = 1;
              break;
            default:
              break;
          }
          // Two passes for LogSumExp: the max first, for stability.
          const int passes = op == ReduceOp::kLogSumExp ? 2 : 1;
          for (int pass = 0; pass < passes; ++pass) {
            std::fill(idx.begin(), idx.end(), 0);
            int64_t off = base;
            for (int64_t r = 0; r < red_count; ++r) {
              const T v = x[off];
              switch (op) {
                case ReduceOp::kSum:
                case ReduceOp::kMean:
                  acc += static_cast<Acc>(v);
                  break;
                case ReduceOp::kMax:
                  if (std::isnan(static_cast<double>(v)) || static_cast<Acc>(v) > acc) acc = v;
                  break;
                case ReduceOp::kMin:
                  if (std::isnan(static_cast<double>(v)) || static_cast<Acc>(v) < acc) acc = v;
                  break;
                case ReduceOp::kProd:
                  acc *= static_cast<Acc>(v);
                  break;
                case ReduceOp::kL1:
                  acc += std::abs(static_cast<Acc>(v));
                  break;
                case ReduceOp::kL2:
                case ReduceOp::kSumSquare:
                  acc += static_cast<Acc>(v) * static_cast<Acc>(v);
                  break;
                case ReduceOp::kLogSum:
                  dacc += static_cast<double>(v);
                  break;
                case ReduceOp::kLogSumExp:
                  if (pass == 0) {
                    mx = std::max(mx, static_cast<double>(v));
                  } else {
                    dacc += std::exp(static_cast<double>(v) - mx);
                  }
                  break;
              }
              for (size_t k = red_dims.size(); k-- > 0;) {
                off += red_strides[k];
                if (++idx[k] < red_dims[k]) break;
                off -= idx[k] * red_strides[k];
                idx[k] = 0;
              }
            }
            if (op == ReduceOp::kLogSumExp && pass == 0 && !std::isfinite(mx)) {
              dacc = mx == std::numeric_limits<double>::infinity() ? mx : 0.0;
              break;
            }
          }
          double r;
          switch (op) {
            case ReduceOp::kMean:
              r = static_cast<double>(acc) / static_cast<double>(red_count);
              if constexpr (!std::is_floating_point_v<T>) {
                y[o] = red_count > 0 ? static_cast<T>(acc / red_count) : T{};
                continue;
              }
              break;
            case ReduceOp::kL2:
              r = std::sqrt(static_cast<double>(acc));
              break;
            case ReduceOp::kLogSum:
              r = std::log(dacc);
              break;
            case ReduceOp::kLogSumExp:
              r = std::isfinite(mx) ? mx + std::log(dacc)
                                    : (mx > 0 ? mx : -std::numeric_limits<double>::infinity());
              break;
            default:
              y[o] = static_cast<T>(acc);
              continue;
          }
          y[o] = static_cast<T>(r);
        }
      });
}

// The kernel behind every Reduce* op.
class ReduceKernel final : public exec::Kernel {
 public:
  // `axes_from_input`: the opset takes axes as the optional second input.
  ReduceKernel(std::string op_name, ReduceOp op, std::vector<int64_t> axes, bool keepdims,
               bool noop_with_empty_axes, bool axes_from_input)
      : op_name_(std::move(op_name)),
        op_(op),
        axes_(std::move(axes)),
        keepdims_(keepdims),
        noop_(noop_with_empty_axes),
        axes_from_input_(axes_from_input) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    if (op_ == ReduceOp::kMax || op_ == ReduceOp::kMin) {  // bool from opset 20
      RETURN_IF_ERROR(exec::check_dtype(
          x, 0, op_name_,
          {DataType::kFloat32, DataType::kFloat64, DataType::kInt32, DataType::kInt64,
           DataType::kInt8, DataType::kUInt8, DataType::kBool}));
    } else {
      RETURN_IF_ERROR(exec::check_dtype(x, 0, op_name_,
                                        {DataType::kFloat32, DataType::kFloat64, DataType::kInt32,
                                         DataType::kInt64, DataType::kInt8, DataType::kUInt8}));
    }
    std::vector<int64_t> axes = axes_;
    if (axes_from_input_ && inputs.size() > 1 && inputs[1] != nullptr) {
      const Tensor& a = *inputs[1];
      RETURN_IF_ERROR(exec::check_dtype(a, 1, op_name_, {DataType::kInt64}));
      if (a.rank() > 1) return invalid_argument("axes must be 1-D");
      axes = a.to_vector<int64_t>();
    }
    const int64_t rank = x.rank();
    if (axes.empty() && noop_) {
      outputs[0] = x;
      return Status::ok_status();
    }
    ASSIGN_OR_RETURN(axes, normalize_axes(std::move(axes), std::max<int64_t>(rank, 1)));
    std::vector<bool> reduced(static_cast<size_t>(rank), axes.empty());
    for (int64_t a : axes) {
      if (a < rank) reduced[static_cast<size_t>(a)] = true;
    }
    Shape out_shape;
    for (int64_t d = 0; d < rank; ++d) {
      if (!reduced[static_cast<size_t>(d)]) {
        out_shape.push_back(x.shape()[static_cast<size_t>(d)]);
      } else if (keepdims_) {
        out_shape.push_back(1);
      }
    }
    Tensor y = Tensor::allocate(x.dtype(), out_shape);
    const int64_t n = y.num_elements();
    if (n > 0) {
      switch (x.dtype()) {
        case DataType::kFloat32:
          reduce_strided(op_, x.data<float>(), x.shape(), reduced, y.mutable_data<float>(), n, ctx);
          break;
        case DataType::kFloat64:
          reduce_strided(op_, x.data<double>(), x.shape(), reduced, y.mutable_data<double>(), n,
                         ctx);
          break;
        case DataType::kInt32:
          reduce_strided(op_, x.data<int32_t>(), x.shape(), reduced, y.mutable_data<int32_t>(), n,
                         ctx);
          break;
        case DataType::kInt8:
          reduce_strided(op_, x.data<int8_t>(), x.shape(), reduced, y.mutable_data<int8_t>(), n,
                         ctx);
          break;
        case DataType::kUInt8:
          reduce_strided(op_, x.data<uint8_t>(), x.shape(), reduced, y.mutable_data<uint8_t>(), n,
                         ctx);
          break;
        case DataType::kBool:
          reduce_strided(op_, x.data<bool>(), x.shape(), reduced, y.mutable_data<bool>(), n, ctx);
          break;
        default:
          reduce_strided(op_, x.data<int64_t>(), x.shape(), reduced, y.mutable_data<int64_t>(), n,
                         ctx);
          break;
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  std::string op_name_;
  ReduceOp op_;
  std::vector<int64_t> axes_;
  bool keepdims_, noop_, axes_from_input_;
};

// Factory for a Reduce* op at `node.opset`; axes move to an input from `axes_input_since`.
inline Result<std::unique_ptr<exec::Kernel>> make_reduce(const ir::Node& node,
                                                         const std::string& name, ReduceOp op,
                                                         int64_t axes_input_since) {
  const bool from_input = node.opset >= axes_input_since;
  if (from_input) {
    RETURN_IF_ERROR(exec::check_arity(node, 1, 2));
    RETURN_IF_ERROR(exec::check_attributes(node, {"keepdims", "noop_with_empty_axes"}));
  } else {
    RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
    RETURN_IF_ERROR(exec::check_attributes(node, {"axes", "keepdims"}));
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> axes, node.attributes.get_ints("axes", {}));
  ASSIGN_OR_RETURN(int64_t keepdims, node.attributes.get_int("keepdims", 1));
  ASSIGN_OR_RETURN(int64_t noop, node.attributes.get_int("noop_with_empty_axes", 0));
  return exec::make_kernel<ReduceKernel>(name, op, std::move(axes), keepdims != 0, noop != 0,
                                         from_input);
}

}  // namespace modelhost::engine::cpu
