// Constant: a tensor fixed in the model, from exactly one of the attributes value (a tensor),
// value_float, value_floats, value_int or value_ints. Each run gets its own copy, so an output
// never exposes the model's buffer to a caller.
#include <cstring>

#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class ConstantKernel final : public exec::Kernel {
 public:
  explicit ConstantKernel(Tensor value) : value_(std::move(value)) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const>,
                 std::span<Tensor> outputs) const override {
    Tensor y = Tensor::allocate(value_.dtype(), value_.shape());
    if (value_.byte_size() > 0)
      std::memcpy(y.mutable_raw_data(), value_.raw_data(), value_.byte_size());
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  Tensor value_;
};

Result<std::unique_ptr<exec::Kernel>> make_constant(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 0, 0));
  const auto& attrs = node.attributes;
  if (attrs.all().size() != 1) {
    return invalid_argument("Constant needs exactly one value attribute, got " +
                            std::to_string(attrs.all().size()));
  }
  const std::string& name = attrs.all().begin()->first;
  Tensor value;
  if (name == "value") {
    ASSIGN_OR_RETURN(value, attrs.get_tensor("value"));
  } else if (name == "value_float") {
    ASSIGN_OR_RETURN(float v, attrs.get_float(name, 0.0f));
    value = Tensor::from_vector<float>({}, {v});
  } else if (name == "value_int") {
    ASSIGN_OR_RETURN(int64_t v, attrs.get_int(name, 0));
    value = Tensor::from_vector<int64_t>({}, {v});
  } else if (name == "value_floats") {
    ASSIGN_OR_RETURN(std::vector<float> v, attrs.get_floats(name, {}));
    value = Tensor::from_vector<float>({static_cast<int64_t>(v.size())}, v);
  } else if (name == "value_ints") {
    ASSIGN_OR_RETURN(std::vector<int64_t> v, attrs.get_ints(name, {}));
    value = Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v);
  } else {
    return unimplemented("attribute \"" + name + "\" is not supported");
  }
  return exec::make_kernel<ConstantKernel>(std::move(value));
}

MH_REGISTER_CPU_KERNEL(Constant, 1, exec::kMaxOpset, make_constant);

}  // namespace
}  // namespace modelhost::engine::cpu
