// Mod (opset 10): remainder with numpy broadcasting. fmod=0: the result has the divisor's sign
// (Python / numpy.mod); fmod=1: the dividend's sign (C fmod). Every numeric dtype; an integer
// remainder by zero is 0.
#include <cmath>
#include <type_traits>

#include "engine/cpu/compare.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct FmodOp {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      return std::fmod(a, b);
    } else {
      if (b == T{0}) return T{0};
      if constexpr (std::is_signed_v<T>) {
        if (b == T{-1}) return T{0};  // avoids the overflow of INT_MIN % -1
      }
      return static_cast<T>(a % b);
    }
  }
};

struct ModOp {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      T r = std::fmod(a, b);
      if (r != T(0) && ((r < T(0)) != (b < T(0)))) r += b;
      return r;
    } else {
      T r = FmodOp()(a, b);
      if constexpr (std::is_signed_v<T>) {
        if (r != T{0} && ((r < T{0}) != (b < T{0}))) r = static_cast<T>(r + b);
      }
      return r;
    }
  }
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
  RETURN_IF_ERROR(exec::check_attributes(node, {"fmod"}));
  ASSIGN_OR_RETURN(const int64_t fmod, node.attributes.get_int("fmod", 0));
  if (fmod != 0 && fmod != 1) {
    return invalid_argument("attribute \"fmod\" must be 0 or 1, got " + std::to_string(fmod));
  }
  if (fmod == 1) {
    return exec::make_kernel<BroadcastBinaryKernel<FmodOp, void>>("Mod", numeric_types(false));
  }
  return exec::make_kernel<BroadcastBinaryKernel<ModOp, void>>("Mod", numeric_types(false));
}

MH_REGISTER_CPU_KERNEL(Mod, 10, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu
