// Pow: base ^ exponent with numpy broadcasting. Opset 7: base and exponent of the same float
// dtype; opset 12+: the exponent may have any numeric dtype and the base may be int32 / int64.
// float32 / float16 / bfloat16 bases compute in float32, float64 and integer bases in float64;
// the output has the base's dtype (integer results truncate toward zero).
#include <cmath>

#include "engine/cpu/compare.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

constexpr DataType kBaseTypes[] = {DataType::kFloat32, DataType::kFloat64, DataType::kFloat16,
                                   DataType::kBFloat16, DataType::kInt32,  DataType::kInt64};

struct PowOp {
  template <typename T>
  T operator()(T a, T b) const {
    return std::pow(a, b);
  }
};

class PowKernel final : public exec::Kernel {
 public:
  explicit PowKernel(bool mixed_types) : mixed_types_(mixed_types) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& base = *inputs[0];
    const Tensor& exponent = *inputs[1];
    bool ok = false;
    for (DataType dt : kBaseTypes) ok = ok || dt == base.dtype();
    if (!ok) return unsupported_dtype(base, 0, "Pow", kBaseTypes);
    if (mixed_types_) {
      bool numeric = false;
      for (DataType dt : kNumericTypes) numeric = numeric || dt == exponent.dtype();
      if (!numeric) return unsupported_dtype(exponent, 1, "Pow", kNumericTypes);
    } else {
      RETURN_IF_ERROR(exec::check_same_dtype(base, exponent));
    }
    const bool wide = base.dtype() == DataType::kFloat64 || base.dtype() == DataType::kInt32 ||
                      base.dtype() == DataType::kInt64;
    const DataType compute_type = wide ? DataType::kFloat64 : DataType::kFloat32;
    ASSIGN_OR_RETURN(Tensor a, convert_tensor(ctx, base, compute_type));
    ASSIGN_OR_RETURN(Tensor b, convert_tensor(ctx, exponent, compute_type));
    ASSIGN_OR_RETURN(Shape shape, broadcast_shape(a.shape(), b.shape()));
    RETURN_IF_ERROR(checked_num_elements(shape, sizeof(double)).status());
    Tensor out = Tensor::allocate(compute_type, shape);
    if (out.num_elements() > 0) {
      BroadcastPlan plan = plan_broadcast(a.shape(), b.shape(), shape);
      if (wide) {
        broadcast_apply(plan, a.data<double>(), b.data<double>(), out.mutable_data<double>(),
                        PowOp(), ctx);
      } else {
        broadcast_apply(plan, a.data<float>(), b.data<float>(), out.mutable_data<float>(),
                        PowOp(), ctx);
      }
    }
    ASSIGN_OR_RETURN(outputs[0], convert_tensor(ctx, out, base.dtype()));
    return Status::ok_status();
  }

 private:
  bool mixed_types_;
};

template <bool kMixed>
Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return exec::make_kernel<PowKernel>(kMixed);
}

MH_REGISTER_CPU_KERNEL(Pow, 7, 11, make<false>);
MH_REGISTER_CPU_KERNEL(Pow, 12, exec::kMaxOpset, make<true>);

}  // namespace
}  // namespace modelhost::engine::cpu
