// Range: start, start + delta, ... up to (excluding) limit, from three scalars of one dtype
// (float, double, int16, int32, int64). Element count max(ceil((limit - start) / delta), 0).
#include <cmath>
#include <type_traits>

#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

constexpr int64_t kMaxRangeElements = int64_t{1} << 40;

class RangeKernel final : public exec::Kernel {
 public:
  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const DataType dt = inputs[0]->dtype();
    for (size_t i = 0; i < 3; ++i) {
      RETURN_IF_ERROR(exec::check_dtype(*inputs[i], i, "Range",
                                        {DataType::kFloat32, DataType::kFloat64, DataType::kInt16,
                                         DataType::kInt32, DataType::kInt64}));
      if (inputs[i]->dtype() != dt) return invalid_argument("start, limit and delta must share a dtype");
      if (inputs[i]->num_elements() != 1) {
        return invalid_argument("input " + std::to_string(i) + " must be a scalar, got " +
                                shape_to_string(inputs[i]->shape()));
      }
    }
    return visit_numeric(dt, [&]<typename N>() -> Status {
      using T = typename N::Storage;
      const T start = inputs[0]->data<T>()[0], limit = inputs[1]->data<T>()[0],
              delta = inputs[2]->data<T>()[0];
      if (delta == T{0}) return invalid_argument("delta cannot be 0");
      int64_t n;
      if constexpr (std::is_floating_point_v<T>) {
        const double c = std::ceil((static_cast<double>(limit) - static_cast<double>(start)) /
                                   static_cast<double>(delta));
        if (!(c < static_cast<double>(kMaxRangeElements))) {
          return invalid_argument("Range would produce too many elements");
        }
        n = c > 0 ? static_cast<int64_t>(c) : 0;
      } else {
        const __int128 span = static_cast<__int128>(limit) - start;
        const __int128 d = delta;
        __int128 q = span / d;
        if (q * d != span && ((span > 0) == (d > 0))) ++q;
        if (q > kMaxRangeElements) return invalid_argument("Range would produce too many elements");
        n = q > 0 ? static_cast<int64_t>(q) : 0;
      }
      ASSIGN_OR_RETURN(Tensor y, allocate_checked(dt, {n}));
      T* out = y.mutable_data<T>();
      for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(start + static_cast<T>(i) * delta);
      outputs[0] = std::move(y);
      return Status::ok_status();
    });
  }
};

Result<std::unique_ptr<exec::Kernel>> make_range(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 3, 3));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return exec::make_kernel<RangeKernel>();
}

MH_REGISTER_CPU_KERNEL(Range, 11, exec::kMaxOpset, make_range);

}  // namespace
}  // namespace modelhost::engine::cpu
