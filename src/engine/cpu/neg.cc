// Neg: -x over float types and signed integers (the integer minimum wraps to itself).
#include <type_traits>

#include "engine/cpu/unary.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

constexpr DataType kNegTypes[] = {DataType::kFloat32, DataType::kFloat64, DataType::kFloat16,
                                  DataType::kBFloat16, DataType::kInt8,   DataType::kInt16,
                                  DataType::kInt32,   DataType::kInt64};

struct Neg {
  Status operator()(const exec::KernelContext& ctx, const Tensor& x, Tensor& out) const {
    return numeric_unary(
        ctx, x, out, "Neg",
        [](auto v) {
          using T = decltype(v);
          if constexpr (std::is_floating_point_v<T>) {
            return -v;
          } else {
            using U = std::make_unsigned_t<T>;
            return static_cast<T>(U{0} - static_cast<U>(v));
          }
        },
        kNegTypes);
  }
};

MH_REGISTER_CPU_KERNEL(Neg, 6, exec::kMaxOpset, make_unary<Neg>);

}  // namespace
}  // namespace modelhost::engine::cpu
