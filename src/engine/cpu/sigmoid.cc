// Sigmoid over float32, with cpu/vec_math.h's exp: the formula FusedConv and FusedMatMul apply
// when they absorb a Sigmoid (or a Swish, x * Sigmoid(x)).
#include "engine/cpu/activation.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct Sigmoid {
  static constexpr const char* kName = "Sigmoid";
  static constexpr DataType kTypes[] = {DataType::kFloat32};

  Status operator()(const exec::KernelContext& ctx, const Tensor& x, Tensor& out) const {
    RETURN_IF_ERROR(exec::check_dtype(x.dtype(), 0, kName, kTypes));
    out = map_float_inplace(ctx, x, out, sigmoid_inplace);
    return Status::ok_status();
  }
};

MH_REGISTER_CPU_KERNEL(Sigmoid, 6, exec::kMaxOpset, make_unary<Sigmoid>);

}  // namespace
}  // namespace modelhost::engine::cpu
