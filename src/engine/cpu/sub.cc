// Sub: elementwise a - b with numpy broadcasting.
#include "engine/cpu/elementwise.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct SubOp : ArithmeticOpBase {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      return wrapping(a, b, [](auto x, auto y) { return x - y; });
    } else {
      return a - b;
    }
  }
};

MH_REGISTER_CPU_KERNEL(Sub, 7, exec::kMaxOpset, binary_arithmetic_factory<SubOp>("Sub"));

}  // namespace
}  // namespace modelhost::engine::cpu
