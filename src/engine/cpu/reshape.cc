// Reshape: data with a new shape read from an int64 tensor. 0 copies the input dim at the same
// index (unless allowzero = 1, opset 14+, where 0 is a literal zero) and one -1 is inferred.
// The output shares the input's buffer.
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class ReshapeKernel final : public exec::Kernel {
 public:
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    return exec::propagate_dtype(inputs, outputs);
  }
  explicit ReshapeKernel(bool allow_zero) : allow_zero_(allow_zero) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& data = *inputs[0];
    const Tensor& shape_t = *inputs[1];
    RETURN_IF_ERROR(exec::check_dtype(shape_t, 1, "Reshape", {DataType::kInt64}));
    if (shape_t.rank() != 1) {
      return invalid_argument("shape must be 1-D, got " + shape_to_string(shape_t.shape()));
    }
    const int64_t* req = shape_t.data<int64_t>();
    Shape shape(req, req + shape_t.num_elements());
    int64_t infer = -1;
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] == 0 && !allow_zero_) {
        if (i >= data.shape().size()) {
          return invalid_argument("shape " + shape_to_string(shape) + " copies dim " +
                                  std::to_string(i) + " but the input " +
                                  shape_to_string(data.shape()) + " has none");
        }
        shape[i] = data.shape()[i];
      } else if (shape[i] == -1) {
        if (infer >= 0)
          return invalid_argument("shape " + shape_to_string(shape) + " has more than one -1");
        infer = static_cast<int64_t>(i);
      } else if (shape[i] < 0) {
        return invalid_argument("shape " + shape_to_string(shape) + " has a negative dim");
      }
    }
    if (infer >= 0) {
      Shape known = shape;
      known[static_cast<size_t>(infer)] = 1;
      ASSIGN_OR_RETURN(int64_t rest, checked_num_elements(known));
      if (rest == 0 || data.num_elements() % rest != 0) {
        return invalid_argument("cannot reshape " + shape_to_string(data.shape()) + " to " +
                                shape_to_string(std::span<const int64_t>(req, shape.size())));
      }
      shape[static_cast<size_t>(infer)] = data.num_elements() / rest;
    }
    auto n = checked_num_elements(shape);
    if (!n.ok() || *n != data.num_elements()) {
      return invalid_argument("cannot reshape " + shape_to_string(data.shape()) + " (" +
                              std::to_string(data.num_elements()) + " elements) to " +
                              shape_to_string(std::span<const int64_t>(req, shape.size())));
    }
    outputs[0] = data.reshaped(std::move(shape));
    return Status::ok_status();
  }

 private:
  bool allow_zero_;
};

Result<std::unique_ptr<exec::Kernel>> make_reshape(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
  RETURN_IF_ERROR(exec::check_attributes(node, {"allowzero"}));
  ASSIGN_OR_RETURN(int64_t allow_zero, node.attributes.get_int("allowzero", 0));
  if (allow_zero != 0 && allow_zero != 1) {
    return invalid_argument("allowzero must be 0 or 1, got " + std::to_string(allow_zero));
  }
  return exec::make_kernel<ReshapeKernel>(allow_zero == 1);
}

MH_REGISTER_CPU_SHAPE_KERNEL(Reshape, 5, exec::kMaxOpset, make_reshape, 0b1, true);

}  // namespace
}  // namespace modelhost::engine::cpu
