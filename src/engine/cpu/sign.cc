// Sign: -1, 0 or 1 by the sign of x, over every numeric dtype (NaN stays NaN).
#include <type_traits>

#include "engine/cpu/unary.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct Sign {
  Status operator()(const exec::KernelContext& ctx, const Tensor& x, Tensor& out) const {
    return numeric_unary(
        ctx, x, out, "Sign",
        [](auto v) {
          using T = decltype(v);
          if constexpr (std::is_floating_point_v<T>) {
            return v > T(0) ? T(1) : (v < T(0) ? T(-1) : v);
          } else {
            return static_cast<T>(static_cast<int>(v > T(0)) - static_cast<int>(v < T(0)));
          }
        },
        kNumericTypes);
  }
};

MH_REGISTER_CPU_KERNEL(Sign, 9, exec::kMaxOpset, make_unary<Sign>);

}  // namespace
}  // namespace modelhost::engine::cpu
