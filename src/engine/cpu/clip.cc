// Clip: min(max(x, lo), hi). Opsets 6..10 take lo / hi from the float attributes min / max (float
// types); opset 11+ from the optional scalar inputs 2 and 3 (omitted = unbounded) of x's dtype,
// and opset 12+ adds integer types (accepted from 11). NaN stays NaN.
#include <limits>
#include <optional>

#include "engine/cpu/unary.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

constexpr DataType kClipTypes[] = {DataType::kFloat32,  DataType::kFloat64, DataType::kFloat16,
                                   DataType::kBFloat16, DataType::kInt8,    DataType::kInt16,
                                   DataType::kInt32,    DataType::kInt64,   DataType::kUInt8,
                                   DataType::kUInt16,   DataType::kUInt32,  DataType::kUInt64};

template <typename T>
Tensor clip_map(const exec::KernelContext& ctx, const Tensor& x, const Tensor& donated, T lo,
                T hi) {
  return unary_map<T>(ctx, x, donated, [lo, hi](T v) {
    const T r = v < lo ? lo : v;
    return r > hi ? hi : r;
  });
}

// Opsets 6..10: bounds from attributes.
class ClipAttrKernel final : public exec::Kernel {
 public:
  ClipAttrKernel(float lo, float hi) : lo_(lo), hi_(hi) {}
  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    switch (x.dtype()) {
      case DataType::kFloat32:
        outputs[0] = clip_map<float>(ctx, x, outputs[0], lo_, hi_);
        return Status::ok_status();
      case DataType::kFloat64:
        outputs[0] = clip_map<double>(ctx, x, outputs[0], lo_, hi_);
        return Status::ok_status();
      default: {
        const float lo = lo_, hi = hi_;
        return float_unary(ctx, x, outputs[0], "Clip", [lo, hi](auto v) {
          using T = decltype(v);
          const T r = v < T(lo) ? T(lo) : v;
          return r > T(hi) ? T(hi) : r;
        });
      }
    }
  }

 private:
  float lo_, hi_;
};

// A bound given as input `index`: a one-element tensor of x's dtype, as T; nullopt when omitted.
template <typename T>
Result<std::optional<T>> bound(std::span<const Tensor* const> inputs, size_t index,
                               const Tensor& x) {
  if (inputs.size() <= index || inputs[index] == nullptr) return std::optional<T>();
  const Tensor& b = *inputs[index];
  RETURN_IF_ERROR(exec::check_same_dtype(x, b));
  if (b.num_elements() != 1) {
    return invalid_argument("input " + std::to_string(index) + " must be a scalar, got shape " +
                            shape_to_string(b.shape()));
  }
  return std::optional<T>(b.data<T>()[0]);
}

// Opsets 11+: bounds from optional inputs.
class ClipKernel final : public exec::Kernel {
 public:
  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    if (x.dtype() == DataType::kFloat16 || x.dtype() == DataType::kBFloat16) {
      // Compute in float32 with the bounds converted alongside.
      std::vector<Tensor> converted;
      std::vector<const Tensor*> ptrs;
      converted.reserve(inputs.size());
      for (const Tensor* t : inputs) {
        if (t == nullptr) {
          ptrs.push_back(nullptr);
          continue;
        }
        RETURN_IF_ERROR(exec::check_same_dtype(x, *t));
        ASSIGN_OR_RETURN(Tensor c, convert_tensor(ctx, *t, DataType::kFloat32));
        converted.push_back(std::move(c));
        ptrs.push_back(&converted.back());
      }
      Tensor out;
      RETURN_IF_ERROR(run<float>(ctx, ptrs, out));
      ASSIGN_OR_RETURN(outputs[0], convert_tensor(ctx, out, x.dtype()));
      return Status::ok_status();
    }
    return visit_dtype(
        x.dtype(),
        [&]<typename T>() -> Status {
          if constexpr (kIsHalfLike<T> || std::is_same_v<T, bool>) {
            return unsupported_dtype(x, 0, "Clip", kClipTypes);
          } else {
            return run<T>(ctx, inputs, outputs[0]);
          }
        },
        [&]() -> Status { return unsupported_dtype(x, 0, "Clip", kClipTypes); });
  }

 private:
  template <typename T>
  static Status run(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                    Tensor& out) {
    const Tensor& x = *inputs[0];
    ASSIGN_OR_RETURN(std::optional<T> lo, bound<T>(inputs, 1, x));
    ASSIGN_OR_RETURN(std::optional<T> hi, bound<T>(inputs, 2, x));
    out = clip_map<T>(ctx, x, out, lo.value_or(std::numeric_limits<T>::lowest()),
                      hi.value_or(std::numeric_limits<T>::max()));
    return Status::ok_status();
  }
};

Result<std::unique_ptr<exec::Kernel>> make_attr(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"min", "max"}));
  ASSIGN_OR_RETURN(const float lo,
                   node.attributes.get_float("min", std::numeric_limits<float>::lowest()));
  ASSIGN_OR_RETURN(const float hi,
                   node.attributes.get_float("max", std::numeric_limits<float>::max()));
  return exec::make_kernel<ClipAttrKernel>(lo, hi);
}

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 3));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return exec::make_kernel<ClipKernel>();
}

MH_REGISTER_CPU_KERNEL(Clip, 6, 10, make_attr);
MH_REGISTER_CPU_KERNEL(Clip, 11, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu
