// Not: logical negation of a bool tensor.
#include "engine/cpu/elementwise.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct Not {
  static constexpr const char* kName = "Not";
  static constexpr DataType kTypes[] = {DataType::kBool};

  Status operator()(const exec::KernelContext& ctx, const Tensor& x, Tensor& out) const {
    RETURN_IF_ERROR(exec::check_dtype(x.dtype(), 0, kName, kTypes));
    out = unary_map<bool>(ctx, x, out, [](bool v) { return !v; });
    return Status::ok_status();
  }
};

MH_REGISTER_CPU_KERNEL(Not, 1, exec::kMaxOpset, make_unary<Not>);

}  // namespace
}  // namespace modelhost::engine::cpu
