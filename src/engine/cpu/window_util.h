// The window-function ops (HannWindow, HammingWindow, BlackmanWindow, opset 17+): a 1-D tensor of
// `size` values w(n, N1) for n in [0, size), where N1 = size when `periodic` (the default) and
// size - 1 otherwise; computed in double and stored as `output_datatype` (default float32).
#pragma once

#include <string>

#include "common/status.h"
#include "engine/cpu/shape_util.h"
#include "engine/cpu/unary.h"
#include "engine/exec/kernel.h"

namespace modelhost::engine::cpu {

// Window: `static double value(double n, double n1)`.
template <typename Window>
class WindowKernel final : public exec::Kernel {
 public:
  WindowKernel(const char* op, DataType out, bool periodic)
      : op_(op), out_(out), periodic_(periodic) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    ASSIGN_OR_RETURN(const int64_t size, read_int_scalar(*inputs[0], 0, op_));
    if (size < 0) {
      return invalid_argument(std::string(op_) + " size must be >= 0, got " + std::to_string(size));
    }
    RETURN_IF_ERROR(checked_num_elements(Shape{size}, sizeof(double)).status());
    Tensor w = Tensor::allocate(DataType::kFloat64, {size});
    double* p = w.mutable_data<double>();
    const double n1 = static_cast<double>(periodic_ ? size : size - 1);
    for (int64_t n = 0; n < size; ++n) p[n] = Window::value(static_cast<double>(n), n1);
    ASSIGN_OR_RETURN(outputs[0], convert_tensor(ctx, w, out_));
    return Status::ok_status();
  }

 private:
  const char* op_;
  DataType out_;
  bool periodic_;
};

template <typename Window>
exec::KernelFactory window_factory(const char* op) {
  return [op](const ir::Node& node) -> Result<std::unique_ptr<exec::Kernel>> {
    RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
    RETURN_IF_ERROR(exec::check_attributes(node, {"output_datatype", "periodic"}));
    ASSIGN_OR_RETURN(int64_t code, node.attributes.get_int("output_datatype", 1));
    ASSIGN_OR_RETURN(DataType out, dtype_attribute(code));
    if (out == DataType::kBool)
      return invalid_argument("output_datatype must be numeric, got bool");
    ASSIGN_OR_RETURN(int64_t periodic, node.attributes.get_int("periodic", 1));
    if (periodic != 0 && periodic != 1) {
      return invalid_argument("periodic must be 0 or 1, got " + std::to_string(periodic));
    }
    return exec::make_kernel<WindowKernel<Window>>(op, out, periodic == 1);
  };
}

}  // namespace modelhost::engine::cpu
