// Tanh over float32.
#include <cmath>

#include "engine/cpu/elementwise.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct Tanh {
  static constexpr const char* kName = "Tanh";
  static constexpr DataType kTypes[] = {DataType::kFloat32};

  Status operator()(const exec::KernelContext& ctx, const Tensor& x, Tensor& out) const {
    RETURN_IF_ERROR(exec::check_dtype(x.dtype(), 0, kName, kTypes));
    out = unary_map<float>(ctx, x, out, [](float v) { return std::tanh(v); });
    return Status::ok_status();
  }
};

MH_REGISTER_CPU_KERNEL(Tanh, 6, exec::kMaxOpset, make_unary<Tanh>);

}  // namespace
}  // namespace modelhost::engine::cpu
