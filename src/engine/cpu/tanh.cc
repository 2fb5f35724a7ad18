// Tanh over float32.
#include <cmath>

#include "engine/cpu/elementwise.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct Tanh {
  Status operator()(const exec::KernelContext& ctx, const Tensor& x, Tensor& out) const {
    RETURN_IF_ERROR(exec::check_dtype(x, 0, "Tanh", {DataType::kFloat32}));
    out = unary_map<float>(ctx, x, out, [](float v) { return std::tanh(v); });
    return Status::ok_status();
  }
};

MH_REGISTER_CPU_KERNEL(Tanh, 6, exec::kMaxOpset, make_unary<Tanh>);

}  // namespace
}  // namespace modelhost::engine::cpu
