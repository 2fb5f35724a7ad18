// Mean: the elementwise mean of 1..N inputs, with numpy broadcasting; every numeric dtype.
#include <type_traits>

#include "engine/cpu/compare.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct MeanOp {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      return wrapping(a, b, [](auto x, auto y) { return x + y; });
    } else {
      return a + b;
    }
  }
};

MH_REGISTER_CPU_KERNEL(Mean, 6, exec::kMaxOpset,
                       (variadic_factory<MeanOp, true>("Mean", numeric_types(false))));

}  // namespace
}  // namespace modelhost::engine::cpu
