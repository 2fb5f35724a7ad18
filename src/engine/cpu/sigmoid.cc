// Sigmoid over float32.
#include <cmath>

#include "engine/cpu/elementwise.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct Sigmoid {
  Status operator()(const exec::KernelContext& ctx, const Tensor& x, Tensor& out) const {
    RETURN_IF_ERROR(exec::check_dtype(x, 0, "Sigmoid", {DataType::kFloat32}));
    out = unary_map<float>(ctx, x, out, [](float v) { return 1.0f / (1.0f + std::exp(-v)); });
    return Status::ok_status();
  }
};

MH_REGISTER_CPU_KERNEL(Sigmoid, 6, exec::kMaxOpset, make_unary<Sigmoid>);

}  // namespace
}  // namespace modelhost::engine::cpu
