// Abs: |x| over every numeric dtype (signed integer minimum wraps to itself).
#include <cmath>
#include <type_traits>

#include "engine/cpu/unary.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct Abs {
  Status operator()(const exec::KernelContext& ctx, const Tensor& x, Tensor& out) const {
    return numeric_unary(
        ctx, x, out, "Abs",
        [](auto v) {
          using T = decltype(v);
          if constexpr (std::is_floating_point_v<T>) {
            return std::abs(v);
          } else if constexpr (std::is_unsigned_v<T>) {
            return v;
          } else {
            using U = std::make_unsigned_t<T>;
            return v < 0 ? static_cast<T>(U{0} - static_cast<U>(v)) : v;
          }
        },
        kNumericTypes);
  }
};

MH_REGISTER_CPU_KERNEL(Abs, 6, exec::kMaxOpset, make_unary<Abs>);

}  // namespace
}  // namespace modelhost::engine::cpu
