// Sum: the elementwise sum (integers wrap) of 1..N inputs, with numpy broadcasting; every numeric dtype.
#include <type_traits>

#include "engine/cpu/compare.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct SumOp {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      return wrapping(a, b, [](auto x, auto y) { return x + y; });
    } else {
      return a + b;
    }
  }
};

MH_REGISTER_CPU_KERNEL(Sum, 6, exec::kMaxOpset,
                       (variadic_factory<SumOp, false>("Sum", numeric_types(false))));

}  // namespace
}  // namespace modelhost::engine::cpu
