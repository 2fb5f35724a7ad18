// TopK: the k largest (or smallest, `largest = 0`, opset 11+) values along `axis` (default -1)
// with their int64 indices. k is an attribute until opset 9 and a 1-element int64 input from 10.
// Results are always sorted (allowed for `sorted = 0`); equal values keep the lower index first.
// float32, float64 and the integer types.
#include <algorithm>
#include <numeric>

#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

template <typename T>
void top_k(const T* x, T* vals, int64_t* idx, int64_t outer, int64_t n, int64_t inner, int64_t k,
           bool largest, const exec::KernelContext& ctx) {
  exec::parallel_for(ctx, outer * inner, 1, [&](int64_t v0, int64_t v1) {
    std::vector<int64_t> order(static_cast<size_t>(n));
    for (int64_t v = v0; v < v1; ++v) {
      const int64_t o = v / inner, i = v % inner;
      const T* p = x + o * n * inner + i;
      std::iota(order.begin(), order.end(), 0);
      auto cmp = [&](int64_t a, int64_t b) {
        const T va = p[a * inner], vb = p[b * inner];
        if (va != vb) return largest ? va > vb : va < vb;
        return a < b;
      };
      std::partial_sort(order.begin(), order.begin() + k, order.end(), cmp);
      for (int64_t j = 0; j < k; ++j) {
        const int64_t at = (o * k + j) * inner + i;
        vals[at] = p[order[static_cast<size_t>(j)] * inner];
        idx[at] = order[static_cast<size_t>(j)];
      }
    }
  });
}

class TopKKernel final : public exec::Kernel {
 public:
  TopKKernel(int64_t axis, int64_t k_attr, bool largest)
      : axis_(axis), k_attr_(k_attr), largest_(largest) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    RETURN_IF_ERROR(
        exec::check_dtype(x, 0, "TopK",
                          {DataType::kFloat32, DataType::kFloat64, DataType::kInt8,
                           DataType::kUInt8, DataType::kInt16, DataType::kUInt16, DataType::kInt32,
                           DataType::kUInt32, DataType::kInt64, DataType::kUInt64}));
    int64_t k = k_attr_;
    if (k < 0) {
      const Tensor& kt = *inputs[1];
      RETURN_IF_ERROR(exec::check_dtype(kt, 1, "TopK", {DataType::kInt64}));
      if (kt.num_elements() != 1) return invalid_argument("K must hold exactly one value");
      k = kt.data<int64_t>()[0];
    }
    const int64_t rank = x.rank();
    if (rank == 0) return invalid_argument("TopK needs an input of rank >= 1");
    ASSIGN_OR_RETURN(int64_t axis, exec::normalize_axis(axis_, rank));
    const int64_t n = x.shape()[static_cast<size_t>(axis)];
    if (k < 0 || k > n) {
      return invalid_argument("k = " + std::to_string(k) + " is out of range for an axis of " +
                              std::to_string(n));
    }
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < rank; ++d) {
      if (d < axis) outer *= x.shape()[static_cast<size_t>(d)];
      if (d > axis) inner *= x.shape()[static_cast<size_t>(d)];
    }
    Shape out_shape = x.shape();
    out_shape[static_cast<size_t>(axis)] = k;
    Tensor vals = Tensor::allocate(x.dtype(), out_shape);
    Tensor idx = Tensor::allocate(DataType::kInt64, out_shape);
    if (vals.num_elements() > 0) {
      int64_t* ip = idx.mutable_data<int64_t>();
      auto run = [&](auto tag) {
        using T = decltype(tag);
        top_k(x.data<T>(), vals.mutable_data<T>(), ip, outer, n, inner, k, largest_, ctx);
      };
      switch (x.dtype()) {
        case DataType::kFloat32:
          run(float{});
          break;
        case DataType::kFloat64:
          run(double{});
          break;
        case DataType::kInt8:
          run(int8_t{});
          break;
        case DataType::kUInt8:
          run(uint8_t{});
          break;
        case DataType::kInt16:
          run(int16_t{});
          break;
        case DataType::kUInt16:
          run(uint16_t{});
          break;
        case DataType::kInt32:
          run(int32_t{});
          break;
        case DataType::kUInt32:
          run(uint32_t{});
          break;
        case DataType::kUInt64:
          run(uint64_t{});
          break;
        default:
          run(int64_t{});
          break;
      }
    }
    outputs[0] = std::move(vals);
    if (outputs.size() > 1) outputs[1] = std::move(idx);
    return Status::ok_status();
  }

 private:
  int64_t axis_;
  int64_t k_attr_;  // -1: k comes from input 1
  bool largest_;
};

Result<std::unique_ptr<exec::Kernel>> make_top_k_v1(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1, 2));
  RETURN_IF_ERROR(exec::check_attributes(node, {"axis", "k"}));
  if (!node.attributes.has("k")) return invalid_argument("k is required");
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", -1));
  ASSIGN_OR_RETURN(int64_t k, node.attributes.get_int("k", 0));
  if (k < 0) return invalid_argument("k must be >= 0");
  return exec::make_kernel<TopKKernel>(axis, k, true);
}

Result<std::unique_ptr<exec::Kernel>> make_top_k_v10(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2, 2));
  if (node.opset >= 11) {
    RETURN_IF_ERROR(exec::check_attributes(node, {"axis", "largest", "sorted"}));
  } else {
    RETURN_IF_ERROR(exec::check_attributes(node, {"axis"}));
  }
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", -1));
  ASSIGN_OR_RETURN(int64_t largest, node.attributes.get_int("largest", 1));
  return exec::make_kernel<TopKKernel>(axis, -1, largest != 0);
}

MH_REGISTER_CPU_KERNEL(TopK, 7, 9, make_top_k_v1);
MH_REGISTER_CPU_KERNEL(TopK, 10, exec::kMaxOpset, make_top_k_v10);

}  // namespace
}  // namespace modelhost::engine::cpu
