// Concat: joins inputs along `axis` (negative counts from the end). All inputs share dtype, rank
// and every other dim. Any dtype: rows are copied as bytes.
#include <cstring>

#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class ConcatKernel final : public exec::Kernel {
 public:
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    return exec::propagate_dtype(inputs, outputs, 0, inputs.size());
  }
  explicit ConcatKernel(int64_t axis) : axis_(axis) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& first = *inputs[0];
    const int64_t rank = first.rank();
    ASSIGN_OR_RETURN(int64_t axis, exec::normalize_axis(axis_, rank));
    Shape out_shape = first.shape();
    out_shape[static_cast<size_t>(axis)] = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const Tensor& t = *inputs[i];
      bool ok = t.dtype() == first.dtype() && t.rank() == rank;
      for (int64_t d = 0; ok && d < rank; ++d) {
        ok =
            d == axis || t.shape()[static_cast<size_t>(d)] == first.shape()[static_cast<size_t>(d)];
      }
      if (!ok) {
        return invalid_argument(
            "input " + std::to_string(i) + " " + std::string(dtype_name(t.dtype())) + " " +
            shape_to_string(t.shape()) + " does not match input 0 " +
            std::string(dtype_name(first.dtype())) + " " + shape_to_string(first.shape()) +
            " outside axis " + std::to_string(axis));
      }
      out_shape[static_cast<size_t>(axis)] += t.shape()[static_cast<size_t>(axis)];
    }
    const size_t elem = dtype_size(first.dtype());
    RETURN_IF_ERROR(checked_num_elements(out_shape, elem).status());
    Tensor y = Tensor::allocate(first.dtype(), out_shape);
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < rank; ++d) {
      if (d < axis) outer *= out_shape[static_cast<size_t>(d)];
      if (d > axis) inner *= out_shape[static_cast<size_t>(d)];
    }
    const size_t out_row = static_cast<size_t>(out_shape[static_cast<size_t>(axis)] * inner) * elem;
    auto* dst = static_cast<uint8_t*>(y.mutable_raw_data());
    size_t col = 0;
    for (const Tensor* t : inputs) {
      const size_t row = static_cast<size_t>(t->shape()[static_cast<size_t>(axis)] * inner) * elem;
      const auto* src = static_cast<const uint8_t*>(t->raw_data());
      if (row > 0) {
        for (int64_t o = 0; o < outer; ++o) {
          std::memcpy(dst + static_cast<size_t>(o) * out_row + col,
                      src + static_cast<size_t>(o) * row, row);
        }
      }
      col += row;
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  int64_t axis_;
};

Result<std::unique_ptr<exec::Kernel>> make_concat(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, SIZE_MAX));
  RETURN_IF_ERROR(exec::check_attributes(node, {"axis"}));
  if (!node.attributes.has("axis")) return invalid_argument("attribute \"axis\" is required");
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", 0));
  for (const auto& in : node.inputs) {
    if (in.empty()) return invalid_argument("inputs cannot be omitted");
  }
  return exec::make_kernel<ConcatKernel>(axis);
}

MH_REGISTER_CPU_KERNEL(Concat, 4, exec::kMaxOpset, make_concat);

}  // namespace
}  // namespace modelhost::engine::cpu
