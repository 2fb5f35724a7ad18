// Cast / CastLike: element conversion between float32, float64, float16, bfloat16, bool and the
// 8..64-bit integers. To bool is `!= 0`; float to integer truncates toward zero, with NaN giving
// 0 and out-of-range values saturating. Casts to or from string, and the float8 / 4-bit types,
// are load errors. `saturate` (opset 19) only concerns float8 and is accepted and ignored.
#include <string>

#include "engine/cpu/unary.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

// ONNX TensorProto.DataType -> engine dtype.
Result<DataType> dtype_from_onnx(int64_t t) {
  switch (t) {
    case 1: return DataType::kFloat32;
    case 2: return DataType::kUInt8;
    case 3: return DataType::kInt8;
    case 4: return DataType::kUInt16;
    case 5: return DataType::kInt16;
    case 6: return DataType::kInt32;
    case 7: return DataType::kInt64;
    case 8: return unimplemented("cast to/from string is not supported");
    case 9: return DataType::kBool;
    case 10: return DataType::kFloat16;
    case 11: return DataType::kFloat64;
    case 12: return DataType::kUInt32;
    case 13: return DataType::kUInt64;
    case 16: return DataType::kBFloat16;
    default:
      return unimplemented("cast to ONNX data type " + std::to_string(t) + " is not supported");
  }
}

class CastKernel final : public exec::Kernel {
 public:
  explicit CastKernel(DataType to) : to_(to) {}
  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const DataType to = to_ == DataType::kUndefined ? inputs[1]->dtype() : to_;
    ASSIGN_OR_RETURN(outputs[0], convert_tensor(ctx, *inputs[0], to));
    return Status::ok_status();
  }

 private:
  DataType to_;  // kUndefined: CastLike, the dtype of input 1
};

template <bool kSaturate>
Result<std::unique_ptr<exec::Kernel>> make_cast(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  if constexpr (kSaturate) {
    RETURN_IF_ERROR(exec::check_attributes(node, {"to", "saturate"}));
  } else {
    RETURN_IF_ERROR(exec::check_attributes(node, {"to"}));
  }
  if (!node.attributes.has("to")) return invalid_argument("attribute \"to\" is required");
  ASSIGN_OR_RETURN(const int64_t to, node.attributes.get_int("to", 0));
  ASSIGN_OR_RETURN(const DataType dtype, dtype_from_onnx(to));
  return exec::make_kernel<CastKernel>(dtype);
}

template <bool kSaturate>
Result<std::unique_ptr<exec::Kernel>> make_cast_like(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
  if constexpr (kSaturate) {
    RETURN_IF_ERROR(exec::check_attributes(node, {"saturate"}));
  } else {
    RETURN_IF_ERROR(exec::check_attributes(node, {}));
  }
  return exec::make_kernel<CastKernel>(DataType::kUndefined);
}

MH_REGISTER_CPU_KERNEL(Cast, 6, 18, make_cast<false>);
MH_REGISTER_CPU_KERNEL(Cast, 19, exec::kMaxOpset, make_cast<true>);
MH_REGISTER_CPU_KERNEL(CastLike, 15, 18, make_cast_like<false>);
MH_REGISTER_CPU_KERNEL(CastLike, 19, exec::kMaxOpset, make_cast_like<true>);

}  // namespace
}  // namespace modelhost::engine::cpu
