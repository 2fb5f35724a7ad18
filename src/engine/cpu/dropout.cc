// Dropout (opset 7+), inference only: the output is the input (same buffer) and the optional mask
// output is all true (opset 10+: bool; before: ones of the input dtype). training_mode = true with
// a ratio above 0 would drop random elements, which a served model never does: that is a
// run-time error saying so (training_mode and ratio are inputs from opset 12 on).
#include <string>

#include "engine/cpu/unary.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

constexpr DataType kDropoutTypes[] = {DataType::kFloat32, DataType::kFloat64, DataType::kFloat16,
                                      DataType::kBFloat16};

// The scalar value of an optional ratio (float types) or training_mode (bool) input.
Result<double> scalar_input(const Tensor& t, const char* what) {
  if (t.num_elements() != 1) {
    return invalid_argument(std::string(what) + " must be a scalar, got shape " +
                            shape_to_string(t.shape()));
  }
  switch (t.dtype()) {
    case DataType::kBool:
      return t.data<bool>()[0] ? 1.0 : 0.0;
    case DataType::kFloat32:
      return static_cast<double>(t.data<float>()[0]);
    case DataType::kFloat64:
      return t.data<double>()[0];
    case DataType::kFloat16:
      return static_cast<double>(half_bits_to_float(t.data<uint16_t>()[0]));
    case DataType::kBFloat16:
      return static_cast<double>(bf16_bits_to_float(t.data<uint16_t>()[0]));
    default:
      return invalid_argument(std::string(what) + " has dtype " +
                              std::string(dtype_name(t.dtype())) + "; expected " +
                              (std::string(what) == "training_mode" ? "bool" : "a float type"));
  }
}

class DropoutKernel final : public exec::Kernel {
 public:
  explicit DropoutKernel(bool bool_mask) : bool_mask_(bool_mask) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    bool ok = false;
    for (DataType dt : kDropoutTypes) ok = ok || dt == x.dtype();
    if (!ok) return unsupported_dtype(x, 0, "Dropout", kDropoutTypes);
    double ratio = 0.5;
    if (inputs.size() > 1 && inputs[1] != nullptr) {
      ASSIGN_OR_RETURN(ratio, scalar_input(*inputs[1], "ratio"));
    }
    bool training = false;
    if (inputs.size() > 2 && inputs[2] != nullptr) {
      if (inputs[2]->dtype() != DataType::kBool) {
        return invalid_argument("training_mode has dtype " +
                                std::string(dtype_name(inputs[2]->dtype())) + "; expected bool");
      }
      ASSIGN_OR_RETURN(double t, scalar_input(*inputs[2], "training_mode"));
      training = t != 0.0;
    }
    if (training && ratio > 0.0) {
      return unimplemented("Dropout with training_mode = true and ratio " + std::to_string(ratio) +
                           " drops random elements (training); only inference is supported: "
                           "set training_mode to false");
    }
    outputs[0] = x;
    if (outputs.size() > 1) {
      Tensor mask = Tensor::allocate(DataType::kBool, x.shape());
      bool* m = mask.mutable_data<bool>();
      for (int64_t i = 0; i < mask.num_elements(); ++i) m[i] = true;
      if (bool_mask_) {
        outputs[1] = std::move(mask);
      } else {
        ASSIGN_OR_RETURN(outputs[1], convert_tensor(ctx, mask, x.dtype()));
      }
    }
    return Status::ok_status();
  }

 private:
  bool bool_mask_;
};

Result<std::unique_ptr<exec::Kernel>> make_dropout(const ir::Node& node) {
  if (node.opset >= 12) {
    RETURN_IF_ERROR(exec::check_arity(node, 1, 3, 2));
    RETURN_IF_ERROR(exec::check_attributes(node, {"seed"}));
  } else {
    RETURN_IF_ERROR(exec::check_arity(node, 1, 1, 2));
    RETURN_IF_ERROR(exec::check_attributes(node, {"ratio"}));
    ASSIGN_OR_RETURN(float ratio, node.attributes.get_float("ratio", 0.5f));
    if (!(ratio >= 0.0f && ratio < 1.0f)) {
      return invalid_argument("ratio must be in [0, 1), got " + std::to_string(ratio));
    }
  }
  return exec::make_kernel<DropoutKernel>(node.opset >= 10);
}

MH_REGISTER_CPU_KERNEL(Dropout, 7, exec::kMaxOpset, make_dropout);

}  // namespace
}  // namespace modelhost::engine::cpu
