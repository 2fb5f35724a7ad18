// BitShift (opset 11): x << y or x >> y (attribute direction "LEFT" / "RIGHT") over unsigned
// integers, with numpy broadcasting; shifts by the bit width or more give 0.
#include <string>
#include <type_traits>

#include "engine/cpu/compare.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

template <bool kLeft>
struct ShiftOp {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      if (b >= static_cast<T>(sizeof(T) * 8)) return T{0};
      return static_cast<T>(kLeft ? a << b : a >> b);
    } else {
      return a;  // never called: the kernel accepts unsigned integers only
    }
  }
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
  RETURN_IF_ERROR(exec::check_attributes(node, {"direction"}));
  ASSIGN_OR_RETURN(const std::string direction, node.attributes.get_string("direction", ""));
  const std::vector<DataType> types = {DataType::kUInt8, DataType::kUInt16, DataType::kUInt32,
                                       DataType::kUInt64};
  if (direction == "LEFT") {
    return exec::make_kernel<BroadcastBinaryKernel<ShiftOp<true>, void>>("BitShift", types);
  }
  if (direction == "RIGHT") {
    return exec::make_kernel<BroadcastBinaryKernel<ShiftOp<false>, void>>("BitShift", types);
  }
  return invalid_argument("attribute \"direction\" must be \"LEFT\" or \"RIGHT\", got \"" +
                          direction + "\"");
}

MH_REGISTER_CPU_KERNEL(BitShift, 11, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu
