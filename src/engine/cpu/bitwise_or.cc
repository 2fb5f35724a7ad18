// BitwiseOr (opset 18+): elementwise a | b over the integer dtypes, with numpy broadcasting.
#include "engine/cpu/compare.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct BitwiseOrOp {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      return static_cast<T>(a | b);
    } else {
      return a;  // not reached: only integer dtypes are allowed
    }
  }
};

MH_REGISTER_CPU_KERNEL(BitwiseOr, 18, exec::kMaxOpset,
                       (broadcast_binary_factory<BitwiseOrOp, void>(
                           "BitwiseOr", {DataType::kInt8, DataType::kInt16, DataType::kInt32,
                                         DataType::kInt64, DataType::kUInt8, DataType::kUInt16,
                                         DataType::kUInt32, DataType::kUInt64})));

}  // namespace
}  // namespace modelhost::engine::cpu
