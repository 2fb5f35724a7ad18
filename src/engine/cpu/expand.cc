// Expand: broadcasts the input against an int64 shape (numpy rules, both ways: a 1 in the shape
// keeps the input's dim). Any dtype: elements move as bytes.
#include <algorithm>

#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class ExpandKernel final : public exec::Kernel {
 public:
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    return exec::propagate_dtype(inputs, outputs);
  }
  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    RETURN_IF_ERROR(exec::check_dtype(*inputs[1], 1, "Expand", {DataType::kInt64}));
    if (inputs[1]->rank() != 1) {
      return invalid_argument("shape must be 1-D, got " + shape_to_string(inputs[1]->shape()));
    }
    const Shape req = inputs[1]->to_vector<int64_t>();
    const size_t rank = std::max(req.size(), x.shape().size());
    Shape out(rank), xs(rank, 1);
    std::copy(x.shape().begin(), x.shape().end(), xs.begin() + (rank - x.shape().size()));
    for (size_t d = 0; d < rank; ++d) {
      const int64_t r = d + req.size() >= rank ? req[d + req.size() - rank] : 1;
      if (r < 0) return invalid_argument("shape " + shape_to_string(req) + " has a negative dim");
      if (xs[d] != r && xs[d] != 1 && r != 1) {
        return invalid_argument("cannot expand " + shape_to_string(x.shape()) + " to " +
                                shape_to_string(req));
      }
      out[d] = xs[d] == 1 ? r : xs[d];
    }
    std::vector<int64_t> strides = strides_of(xs);
    for (size_t d = 0; d < rank; ++d) {
      if (xs[d] == 1) strides[d] = 0;
    }
    ASSIGN_OR_RETURN(Tensor y, allocate_checked(x.dtype(), out));
    strided_copy(static_cast<const uint8_t*>(x.raw_data()), strides, out,
                 static_cast<uint8_t*>(y.mutable_raw_data()), dtype_size(x.dtype()));
    outputs[0] = std::move(y);
    return Status::ok_status();
  }
};

Result<std::unique_ptr<exec::Kernel>> make_expand(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return exec::make_kernel<ExpandKernel>();
}

MH_REGISTER_CPU_KERNEL(Expand, 8, exec::kMaxOpset, make_expand);

}  // namespace
}  // namespace modelhost::engine::cpu
