// Compress: the slices along `axis` whose bool condition is true (condition may be shorter than
// the dim; the rest counts as false). Without axis the input is flattened first.
#include <cstring>

#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class CompressKernel final : public exec::Kernel {
 public:
  CompressKernel(bool has_axis, int64_t axis) : has_axis_(has_axis), axis_(axis) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& cond = *inputs[1];
    RETURN_IF_ERROR(exec::check_dtype(cond, 1, "Compress", {DataType::kBool}));
    if (cond.rank() != 1) return invalid_argument("condition must be 1-D, got " + shape_to_string(cond.shape()));
    const Shape shape = has_axis_ ? x.shape() : Shape{x.num_elements()};
    int64_t axis = 0;
    if (has_axis_) {
      ASSIGN_OR_RETURN(axis, exec::normalize_axis(axis_, x.rank()));
    }
    const int64_t dim = shape[static_cast<size_t>(axis)];
    if (cond.num_elements() > dim) {
      return invalid_argument("condition has " + std::to_string(cond.num_elements()) +
                              " entries for a dim of " + std::to_string(dim));
    }
    const auto* c = static_cast<const uint8_t*>(cond.raw_data());
    std::vector<int64_t> keep;
    for (int64_t i = 0; i < cond.num_elements(); ++i) {
      if (c[i] != 0) keep.push_back(i);
    }
    Shape out = shape;
    out[static_cast<size_t>(axis)] = static_cast<int64_t>(keep.size());
    Tensor y = Tensor::allocate(x.dtype(), out);
    const size_t elem = dtype_size(x.dtype());
    const int64_t outer = product(shape, 0, static_cast<size_t>(axis));
    const size_t inner = static_cast<size_t>(product(shape, static_cast<size_t>(axis) + 1, shape.size())) * elem;
    const auto* src = static_cast<const uint8_t*>(x.raw_data());
    auto* dst = static_cast<uint8_t*>(y.mutable_raw_data());
    if (inner > 0) {
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i : keep) {
          std::memcpy(dst, src + static_cast<size_t>(o * dim + i) * inner, inner);
          dst += inner;
        }
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  bool has_axis_;
  int64_t axis_;
};

Result<std::unique_ptr<exec::Kernel>> make_compress(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
  RETURN_IF_ERROR(exec::check_attributes(node, {"axis"}));
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", 0));
  return exec::make_kernel<CompressKernel>(node.attributes.has("axis"), axis);
}

MH_REGISTER_CPU_KERNEL(Compress, 9, exec::kMaxOpset, make_compress);

}  // namespace
}  // namespace modelhost::engine::cpu
