// Gather: slices of data along `axis` picked by int32/int64 indices (negative count from the
// end); output shape data[:axis] + indices + data[axis+1:]. Any dtype: slices move as bytes.
#include <cstring>

#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class GatherKernel final : public exec::Kernel {
 public:
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    return exec::propagate_dtype(inputs, outputs);
  }
  explicit GatherKernel(int64_t axis) : axis_(axis) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& data = *inputs[0];
    const Tensor& ind = *inputs[1];
    ASSIGN_OR_RETURN(int64_t axis, exec::normalize_axis(axis_, data.rank()));
    ASSIGN_OR_RETURN(std::vector<int64_t> idx, read_int_tensor(ind, 1, "Gather"));
    const int64_t dim = data.shape()[static_cast<size_t>(axis)];
    for (int64_t& i : idx) {
      ASSIGN_OR_RETURN(i, normalize_index(i, dim));
    }
    Shape out_shape(data.shape().begin(), data.shape().begin() + axis);
    out_shape.insert(out_shape.end(), ind.shape().begin(), ind.shape().end());
    out_shape.insert(out_shape.end(), data.shape().begin() + axis + 1, data.shape().end());
    ASSIGN_OR_RETURN(Tensor y, allocate_checked(data.dtype(), out_shape));
    const size_t elem = dtype_size(data.dtype());
    const int64_t outer = product(data.shape(), 0, static_cast<size_t>(axis));
    const size_t block = static_cast<size_t>(product(data.shape(), static_cast<size_t>(axis) + 1,
                                                     data.shape().size())) *
                         elem;
    const auto* src = static_cast<const uint8_t*>(data.raw_data());
    auto* dst = static_cast<uint8_t*>(y.mutable_raw_data());
    if (block > 0) {
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i : idx) {
          std::memcpy(dst, src + (static_cast<size_t>(o * dim + i)) * block, block);
          dst += block;
        }
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  int64_t axis_;
};

Result<std::unique_ptr<exec::Kernel>> make_gather(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
  RETURN_IF_ERROR(exec::check_attributes(node, {"axis"}));
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", 0));
  return exec::make_kernel<GatherKernel>(axis);
}

MH_REGISTER_CPU_KERNEL(Gather, 1, exec::kMaxOpset, make_gather);

}  // namespace
}  // namespace modelhost::engine::cpu
