// Cast / CastLike: element conversion between every engine dtype: float32, float64, float16,
// bfloat16, bool, the 8..64-bit integers and the narrow types (float8 e4m3fn / e4m3fnuz / e5m2 /
// e5m2fnuz / e8m0, float4e2m1, int4, uint4). To bool is `!= 0`; float to integer truncates
// toward zero, with NaN giving 0 and out-of-range values saturating; to int4 / uint4 wraps
// modulo 16. The narrow floats convert through float32 (ir/narrow_types.h has the rounding):
// `saturate` (opset 19) decides what an out-of-range value becomes, `round_mode` (opset 24) how
// float8e8m0 rounds. Casts to or from string are load errors.
#include <cstring>
#include <string>

#include "engine/cpu/unary.h"
#include "engine/exec/kernel_registry.h"
#include "engine/ir/narrow_types.h"

namespace modelhost::engine::cpu {
namespace {

// The `to` attribute as an engine dtype.
Result<DataType> cast_target(int64_t code) {
  if (auto dt = dtype_from_onnx_code(code)) return *dt;
  return unimplemented("Cast to " + onnx_type_name(code) + " is not supported");
}

// x as a tensor of a computing dtype: int4 / uint4 as int8 / uint8, the narrow floats decoded
// to float32; other dtypes unchanged.
Tensor widen(const exec::KernelContext& ctx, const Tensor& x) {
  const DataType dt = x.dtype();
  if (dt == DataType::kInt4 || dt == DataType::kUInt4) {
    Tensor out =
        Tensor::allocate(dt == DataType::kInt4 ? DataType::kInt8 : DataType::kUInt8, x.shape());
    if (x.byte_size() > 0) std::memcpy(out.mutable_raw_data(), x.raw_data(), x.byte_size());
    return out;
  }
  if (!dtype_is_narrow_float(dt)) return x;
  Tensor out = Tensor::allocate(DataType::kFloat32, x.shape());
  const uint8_t* in = x.data<uint8_t>();
  float* o = out.mutable_data<float>();
  exec::parallel_for(ctx, x.num_elements(), 1 << 14, [&](int64_t b, int64_t e) {
    narrow_to_float(dt, {in + b, static_cast<size_t>(e - b)}, o + b);
  });
  return out;
}

struct CastOptions {
  bool saturate = true;  // float8 targets only
  E8M0Rounding rounding = E8M0Rounding::kUp;
};

Result<Tensor> cast_tensor(const exec::KernelContext& ctx, const Tensor& x, DataType to,
                           const CastOptions& opt) {
  if (x.dtype() == to) return x;
  const Tensor wide = widen(ctx, x);
  if (to == DataType::kInt4 || to == DataType::kUInt4) {
    // Through int64: floats truncate toward zero, then every integer wraps to 4 bits.
    ASSIGN_OR_RETURN(const Tensor wide_int, convert_tensor(ctx, wide, DataType::kInt64));
    Tensor out = Tensor::allocate(to, x.shape());
    const int64_t* in = wide_int.data<int64_t>();
    uint8_t* o = out.mutable_data<uint8_t>();
    const bool is_signed = to == DataType::kInt4;
    exec::parallel_for(ctx, x.num_elements(), 1 << 14, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        o[i] = is_signed ? static_cast<uint8_t>(wrap_int4(in[i])) : wrap_uint4(in[i]);
      }
    });
    return out;
  }
  if (!dtype_is_narrow_float(to)) return convert_tensor(ctx, wide, to);
  ASSIGN_OR_RETURN(const Tensor wide_float, convert_tensor(ctx, wide, DataType::kFloat32));
  Tensor out = Tensor::allocate(to, x.shape());
  const float* in = wide_float.data<float>();
  uint8_t* o = out.mutable_data<uint8_t>();
  exec::parallel_for(ctx, x.num_elements(), 1 << 14, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) o[i] = float_to_narrow(to, in[i], opt.saturate, opt.rounding);
  });
  return out;
}

class CastKernel final : public exec::Kernel {
 public:
  CastKernel(DataType to, CastOptions options) : to_(to), options_(options) {}
  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const DataType to = to_ == DataType::kUndefined ? inputs[1]->dtype() : to_;
    ASSIGN_OR_RETURN(outputs[0], cast_tensor(ctx, *inputs[0], to, options_));
    return Status::ok_status();
  }
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    outputs[0] = to_ == DataType::kUndefined ? inputs[1] : to_;  // every dtype converts
    return Status::ok_status();
  }

 private:
  DataType to_;  // kUndefined: CastLike, the dtype of input 1
  CastOptions options_;
};

// saturate (opset 19) and round_mode (opset 24).
Result<CastOptions> read_cast_options(const ir::Node& node) {
  CastOptions opt;
  ASSIGN_OR_RETURN(const int64_t saturate, node.attributes.get_int("saturate", 1));
  opt.saturate = saturate != 0;
  ASSIGN_OR_RETURN(const std::string mode, node.attributes.get_string("round_mode", "up"));
  if (mode == "up") {
    opt.rounding = E8M0Rounding::kUp;
  } else if (mode == "nearest") {
    opt.rounding = E8M0Rounding::kNearest;
  } else if (mode == "down") {
    opt.rounding = E8M0Rounding::kDown;
  } else {
    return invalid_argument("round_mode \"" + mode + "\" must be up, nearest or down");
  }
  return opt;
}

// The attributes Cast (with "to") or CastLike accepts at the node's opset.
Status check_cast_attributes(const ir::Node& node, bool has_to) {
  if (node.opset >= 24) {
    return has_to ? exec::check_attributes(node, {"to", "saturate", "round_mode"})
                  : exec::check_attributes(node, {"saturate", "round_mode"});
  }
  if (node.opset >= 19) {
    return has_to ? exec::check_attributes(node, {"to", "saturate"})
                  : exec::check_attributes(node, {"saturate"});
  }
  return has_to ? exec::check_attributes(node, {"to"}) : exec::check_attributes(node, {});
}

Result<std::unique_ptr<exec::Kernel>> make_cast(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(check_cast_attributes(node, /*has_to=*/true));
  if (!node.attributes.has("to")) return invalid_argument("attribute \"to\" is required");
  ASSIGN_OR_RETURN(const int64_t to, node.attributes.get_int("to", 0));
  ASSIGN_OR_RETURN(const DataType dtype, cast_target(to));
  ASSIGN_OR_RETURN(const CastOptions options, read_cast_options(node));
  return exec::make_kernel<CastKernel>(dtype, options);
}

Result<std::unique_ptr<exec::Kernel>> make_cast_like(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
  RETURN_IF_ERROR(check_cast_attributes(node, /*has_to=*/false));
  ASSIGN_OR_RETURN(const CastOptions options, read_cast_options(node));
  return exec::make_kernel<CastKernel>(DataType::kUndefined, options);
}

MH_REGISTER_CPU_KERNEL(Cast, 6, exec::kMaxOpset, make_cast);
MH_REGISTER_CPU_KERNEL(CastLike, 15, exec::kMaxOpset, make_cast_like);

}  // namespace
}  // namespace modelhost::engine::cpu
