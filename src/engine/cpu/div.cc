// Div: elementwise a / b with numpy broadcasting. Integer division truncates toward zero, as
// in C++; an integer division by zero is an error rather than a crash.
#include <limits>

#include "engine/cpu/elementwise.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct DivOp {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
      // check() has excluded b == 0; min / -1 overflows, and wraps to min like two's complement.
      if (b == -1) return wrapping(T(0), a, [](auto x, auto y) { return x - y; });
    }
    return a / b;
  }

  template <typename T>
  static Status check(const Tensor&, const Tensor& b) {
    if constexpr (std::is_integral_v<T>) {
      const T* p = b.data<T>();
      for (int64_t i = 0; i < b.num_elements(); ++i) {
        if (p[i] == 0) return invalid_argument("integer division by zero");
      }
    }
    return Status::ok_status();
  }
};

MH_REGISTER_CPU_KERNEL(Div, 7, exec::kMaxOpset, binary_arithmetic_factory<DivOp>("Div"));

}  // namespace
}  // namespace modelhost::engine::cpu
