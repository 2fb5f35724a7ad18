// Shape: the input's dims as a 1-D int64 tensor; from opset 15 the slice [start, end) of them
// (negative counts from the end, both clamped to [0, rank]).
#include <algorithm>

#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class ShapeKernel final : public exec::Kernel {
 public:
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    outputs[0] = DataType::kInt64;
    return Status::ok_status();
  }
  ShapeKernel(int64_t start, bool has_end, int64_t end)
      : start_(start), has_end_(has_end), end_(end) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const int64_t rank = inputs[0]->rank();
    auto clamp = [rank](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t{0}, rank); };
    const int64_t start = clamp(start_);
    const int64_t end = has_end_ ? clamp(end_) : rank;
    const int64_t n = std::max<int64_t>(0, end - start);
    Tensor y = Tensor::allocate(DataType::kInt64, {n});
    for (int64_t i = 0; i < n; ++i) {
      y.mutable_data<int64_t>()[i] = inputs[0]->shape()[static_cast<size_t>(start + i)];
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  int64_t start_;
  bool has_end_;
  int64_t end_;
};

Result<std::unique_ptr<exec::Kernel>> make_shape(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  if (node.opset >= 15) {
    RETURN_IF_ERROR(exec::check_attributes(node, {"start", "end"}));
  } else {
    RETURN_IF_ERROR(exec::check_attributes(node, {}));
  }
  ASSIGN_OR_RETURN(int64_t start, node.attributes.get_int("start", 0));
  ASSIGN_OR_RETURN(int64_t end, node.attributes.get_int("end", 0));
  return exec::make_kernel<ShapeKernel>(start, node.attributes.has("end"), end);
}

MH_REGISTER_CPU_SHAPE_KERNEL(Shape, 1, exec::kMaxOpset, make_shape, 0b1, false);

}  // namespace
}  // namespace modelhost::engine::cpu
