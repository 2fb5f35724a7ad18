// Add: elementwise a + b with numpy broadcasting.
#include "engine/cpu/elementwise.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct AddOp : ArithmeticOpBase {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      return wrapping(a, b, [](auto x, auto y) { return x + y; });
    } else {
      return a + b;
    }
  }
};

MH_REGISTER_CPU_KERNEL(Add, 7, exec::kMaxOpset, binary_arithmetic_factory<AddOp>("Add"));

}  // namespace
}  // namespace modelhost::engine::cpu
