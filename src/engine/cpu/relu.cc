// Relu: max(x, 0). float32, and int64 (opset 14 added integer types; accepted at every opset).
#include "engine/cpu/elementwise.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct Relu {
  static constexpr const char* kName = "Relu";
  static constexpr DataType kTypes[] = {DataType::kFloat32, DataType::kInt64};

  Status operator()(const exec::KernelContext& ctx, const Tensor& x, Tensor& out) const {
    switch (x.dtype()) {
      case DataType::kFloat32:
        out = unary_map<float>(ctx, x, out, [](float v) { return v > 0.0f ? v : 0.0f; });
        return Status::ok_status();
      case DataType::kInt64:
        out = unary_map<int64_t>(ctx, x, out, [](int64_t v) { return v > 0 ? v : int64_t{0}; });
        return Status::ok_status();
      default:
        return exec::check_dtype(x.dtype(), 0, kName, kTypes);
    }
  }
};

MH_REGISTER_CPU_KERNEL(Relu, 6, exec::kMaxOpset, make_unary<Relu>);

}  // namespace
}  // namespace modelhost::engine::cpu
