// Max: the elementwise maximum (NaN propagates) of 1..N inputs, with numpy broadcasting; every numeric dtype.
#include <type_traits>

#include "engine/cpu/compare.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct MaxOp {
  template <typename T>
  T operator()(T a, T b) const {
    return (a > b || a != a) ? a : b;
  }
};

MH_REGISTER_CPU_KERNEL(Max, 6, exec::kMaxOpset,
                       (variadic_factory<MaxOp, false>("Max", numeric_types(false))));

}  // namespace
}  // namespace modelhost::engine::cpu
