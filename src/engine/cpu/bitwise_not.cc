// BitwiseNot (opset 18+): elementwise ~x over the integer dtypes.
#include "engine/cpu/unary.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

constexpr DataType kIntegerTypes[] = {DataType::kInt8,   DataType::kInt16, DataType::kInt32,
                                      DataType::kInt64,  DataType::kUInt8, DataType::kUInt16,
                                      DataType::kUInt32, DataType::kUInt64};

struct BitwiseNot {
  Status operator()(const exec::KernelContext& ctx, const Tensor& x, Tensor& out) const {
    return numeric_unary(
        ctx, x, out, "BitwiseNot",
        [](auto v) {
          using T = decltype(v);
          if constexpr (std::is_integral_v<T>) {
            return static_cast<T>(~v);
          } else {
            return v;  // not reached: only integer dtypes are allowed
          }
        },
        kIntegerTypes);
  }
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return make_unary<BitwiseNot>(node);
}

MH_REGISTER_CPU_KERNEL(BitwiseNot, 18, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu
