// The CUDA kernels of the execution provider: the ops of the models we serve (ResNet-50,
// MobileNetV2, EfficientNet-B0, BERT, MiniLM) after the graph passes, on float32 activations.
//
// A kernel's factory refuses (and so leaves the node on the CPU, with the reason in the
// placement report) what it cannot do from the node alone: attributes it does not implement,
// an activation it cannot fuse. What only the shapes tell (a broadcast it does not implement, a
// 3-D convolution) is an error at run time naming the node, like any kernel's.
//
// Precision: activations stay float32 between nodes (the model's inputs and outputs keep their
// dtypes). In fp16 / bf16 the GEMMs and convolutions read 16-bit weights made at load time and
// 16-bit copies of their activation input, and accumulate in float32; tf32 lets float32 GEMMs
// and convolutions use TF32 tensor cores. Attention's two batched GEMMs use TF32 in the 16-bit
// modes (their operands are activations).
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "engine/cpu/activation.h"
#include "engine/cpu/pool_util.h"
#include "engine/cuda/attention.h"
#include "engine/cuda/kernels.h"
#include "engine/cuda/provider_impl.h"

namespace modelhost::engine::cuda {
namespace {

using exec::KernelContext;

const float* f32(const Tensor& t) { return static_cast<const float*>(t.raw_data()); }
float* f32(Tensor& t) { return static_cast<float*>(t.mutable_raw_data()); }

// Inputs these kernels read on the host (bit i: input i), as registered in register_ops.
constexpr uint64_t kClipHostInputs = 0b110;     // min, max
constexpr uint64_t kAxesHostInputs = 0b10;      // Reduce*'s axes, Expand's shape
constexpr uint64_t kSliceHostInputs = 0b11110;  // starts, ends, axes, steps
constexpr uint64_t kResizeHostInputs = 0b1110;  // roi, scales, sizes

// A CUDA kernel with one output. compute() finds the run, checks that each input is where the
// planner puts it (on the device, or on the host for the inputs in `host_inputs`) and stores
// what run_on() returns.
class CudaKernel : public exec::Kernel {
 public:
  Status compute(const KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const final {
    ASSIGN_OR_RETURN(CudaRun * run, cuda_run(ctx));
    for (size_t i = 0; i < inputs.size(); ++i) {
      const bool host = i < 64 && ((host_inputs_ >> i) & 1) != 0;
      if (inputs[i] != nullptr && inputs[i]->on_device() == host) {
        return internal_error("CUDA kernel given input " + std::to_string(i) + " on the " +
                              (host ? "device" : "host"));
      }
    }
    ASSIGN_OR_RETURN(outputs[0], run_on(*run, inputs));
    return Status::ok_status();
  }

 protected:
  explicit CudaKernel(uint64_t host_inputs = 0) : host_inputs_(host_inputs) {}
  virtual Result<Tensor> run_on(CudaRun& run, std::span<const Tensor* const> inputs) const = 0;

 private:
  uint64_t host_inputs_;
};

// The CPU's fused activation (cpu/activation.h) as this provider's epilogue; the kinds it has no
// formula for leave the node on the CPU.
Result<Epilogue> epilogue_of(const cpu::Activation& a) {
  using K = cpu::Activation::Kind;
  Epilogue e;
  e.alpha = a.alpha;
  e.beta = a.beta;
  switch (a.kind) {
    case K::kNone:
      e.act = Activation::kNone;
      break;
    case K::kRelu:
      e.act = Activation::kRelu;
      break;
    case K::kLeakyRelu:
      e.act = Activation::kLeakyRelu;
      break;
    case K::kClip:
      e.act = Activation::kClip;
      break;
    case K::kSigmoid:
      e.act = Activation::kSigmoid;
      break;
    case K::kTanh:
      e.act = Activation::kTanh;
      break;
    case K::kHardSigmoid:
      e.act = Activation::kHardSigmoid;
      break;
    case K::kHardSwish:
      e.act = Activation::kHardSwish;
      break;
    case K::kGelu:
      e.act = Activation::kGelu;
      break;
    case K::kSwish:
      e.act = Activation::kSilu;
      break;
    default:
      return unimplemented("this fused activation has no CUDA epilogue");
  }
  return e;
}

Status float32_only(std::span<const DataType> in, std::span<DataType> out, std::string_view op) {
  return exec::float32_only(in, out, op);
}

// ---------------------------------------------------------------------------------------------
// Elementwise

class UnaryKernel final : public CudaKernel {
 public:
  UnaryKernel(std::string op, Epilogue e, bool clip_inputs)
      : CudaKernel(clip_inputs ? kClipHostInputs : 0),
        op_(std::move(op)),
        e_(e),
        clip_inputs_(clip_inputs) {}
  Status infer_types(std::span<const DataType> in, std::span<DataType> out) const override {
    return float32_only(in, out, op_);
  }
  Result<Tensor> run_on(CudaRun& run, std::span<const Tensor* const> inputs) const override {
    const Tensor& x = *inputs[0];
    Epilogue e = e_;
    if (clip_inputs_) {  // Clip 11+: min and max are optional scalar inputs, read on the host
      e.alpha = -INFINITY;
      e.beta = INFINITY;
      if (inputs.size() > 1 && inputs[1] != nullptr) e.alpha = *f32(*inputs[1]);
      if (inputs.size() > 2 && inputs[2] != nullptr) e.beta = *f32(*inputs[2]);
    }
    ASSIGN_OR_RETURN(Tensor y, run.output(DataType::kFloat32, x.shape()));
    RETURN_IF_ERROR(fused_epilogue_f32(f32(x), nullptr, nullptr, f32(y), x.num_elements(), 1, 1, e,
                                       run.stream()));
    return y;
  }

 private:
  std::string op_;
  Epilogue e_;
  bool clip_inputs_;
};

class BinaryKernel final : public CudaKernel {
 public:
  BinaryKernel(std::string op, BinaryOp kind) : op_(std::move(op)), kind_(kind) {}
  Status infer_types(std::span<const DataType> in, std::span<DataType> out) const override {
    return float32_only(in, out, op_);
  }
  Result<Tensor> run_on(CudaRun& run, std::span<const Tensor* const> inputs) const override {
    const Tensor& a = *inputs[0];
    const Tensor& b = *inputs[1];
    int64_t period = 0, repeat = 0;
    bool b_first = false;
    const Tensor* big = &a;
    const Tensor* small = &b;
    if (!broadcast_pattern(a.shape(), b.shape(), period, repeat)) {
      if (!broadcast_pattern(b.shape(), a.shape(), period, repeat)) {
        return unimplemented(op_ + " on the GPU: the broadcast of " + shape_to_string(a.shape()) +
                             " and " + shape_to_string(b.shape()) + " is not supported");
      }
      big = &b;
      small = &a;
      b_first = true;
    }
    ASSIGN_OR_RETURN(Tensor y, run.output(DataType::kFloat32, big->shape()));
    RETURN_IF_ERROR(broadcast_binary_f32(f32(*big), f32(*small), f32(y), y.num_elements(), period,
                                         repeat, kind_, b_first, run.stream()));
    return y;
  }

 private:
  std::string op_;
  BinaryOp kind_;
};

// ---------------------------------------------------------------------------------------------
// GEMMs: FusedMatMul, MatMul, Gemm

// d (m x n, float32) = a (m x k, float32) x b (+ bias, ReLU when `relu`), in the run's precision.
// `b` is a device tensor [k, n] (or [n, k] with b_transposed); in fp16/bf16 its load-time 16-bit
// copy is used when it is a weight, else it is converted here.
Status run_gemm(CudaRun& run, const float* a, const Tensor& b, bool b_transposed, float* d,
                int64_t m, int64_t n, int64_t k, const float* bias, bool relu, int64_t batch = 1,
                int64_t stride_a = 0, int64_t stride_b = 0, int64_t stride_d = 0) {
  GemmArgs g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.d = d;
  g.bias = bias;
  g.activation = relu ? Activation::kRelu : Activation::kNone;
  g.b_transposed = b_transposed;
  g.batch = batch;
  g.stride_a = stride_a;
  g.stride_b = stride_b;
  g.stride_d = stride_d;
  const Precision p = run.precision();
  if (p == Precision::kFp16 || p == Precision::kBf16) {
    const int64_t a_elems = batch > 1 ? stride_a * (batch - 1) + m * k : m * k;
    ASSIGN_OR_RETURN(void* a16, run.scratch(static_cast<size_t>(a_elems) * 2));
    RETURN_IF_ERROR(p == Precision::kFp16
                        ? f32_to_f16(a, static_cast<uint16_t*>(a16), a_elems, run.stream())
                        : f32_to_bf16(a, static_cast<uint16_t*>(a16), a_elems, run.stream()));
    const void* b16 = run.narrow_weight(b.raw_data());
    if (b16 == nullptr) {
      ASSIGN_OR_RETURN(void* conv, run.scratch(static_cast<size_t>(b.num_elements()) * 2));
      RETURN_IF_ERROR(
          p == Precision::kFp16
              ? f32_to_f16(f32(b), static_cast<uint16_t*>(conv), b.num_elements(), run.stream())
              : f32_to_bf16(f32(b), static_cast<uint16_t*>(conv), b.num_elements(), run.stream()));
      b16 = conv;
    }
    g.a = a16;
    g.b = b16;
    g.d_f32 = true;
  } else {
    g.a = a;
    g.b = b.raw_data();
  }
  return run.gemm().run(g, p, run.stream());
}

enum class GemmOp { kFusedMatMul, kMatMul, kGemm };

class GemmKernel final : public CudaKernel {
 public:
  GemmKernel(GemmOp op, Epilogue e, bool trans_b) : op_(op), e_(e), trans_b_(trans_b) {}
  Status infer_types(std::span<const DataType> in, std::span<DataType> out) const override {
    return float32_only(in, out, name());
  }
  Result<Tensor> run_on(CudaRun& run, std::span<const Tensor* const> inputs) const override {
    const Tensor& a = *inputs[0];
    const Tensor& b = *inputs[1];
    const Tensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
    const Tensor* z = op_ == GemmOp::kFusedMatMul && inputs.size() > 3 ? inputs[3] : nullptr;
    if (a.rank() < 2 && op_ != GemmOp::kFusedMatMul) {
      return unimplemented(std::string(name()) + " on the GPU needs A of rank >= 2, got " +
                           shape_to_string(a.shape()));
    }
    if (a.rank() < 1) return invalid_argument(std::string(name()) + ": A is a scalar");
    const int64_t k = a.shape().back();
    // Batched MatMul: both operands [..., M, K] x [..., K, N] with the same batch dims.
    if (op_ == GemmOp::kMatMul && b.rank() > 2) {
      if (b.rank() != a.rank() ||
          !std::equal(a.shape().begin(), a.shape().end() - 2, b.shape().begin()) ||
          b.shape()[b.shape().size() - 2] != k) {
        return unimplemented("MatMul on the GPU: " + shape_to_string(a.shape()) + " x " +
                             shape_to_string(b.shape()) +
                             " (batched operands must have the same batch dims)");
      }
      const int64_t m = a.shape()[a.shape().size() - 2], n = b.shape().back();
      const int64_t batch = a.num_elements() / (m * k == 0 ? 1 : m * k);
      Shape out = a.shape();
      out.back() = n;
      ASSIGN_OR_RETURN(Tensor y, run.output(DataType::kFloat32, out));
      RETURN_IF_ERROR(run_gemm(run, f32(a), b, false, f32(y), m, n, k, nullptr, false, batch, m * k,
                               k * n, m * n));
      return y;
    }
    if (b.rank() != 2) {
      return invalid_argument(std::string(name()) + " needs a 2-D B, got " +
                              shape_to_string(b.shape()));
    }
    const int64_t b_k = trans_b_ ? b.shape()[1] : b.shape()[0];
    const int64_t n = trans_b_ ? b.shape()[0] : b.shape()[1];
    if (b_k != k) {
      return invalid_argument(std::string(name()) + ": A " + shape_to_string(a.shape()) +
                              " and B " + shape_to_string(b.shape()) + " do not agree on K");
    }
    if (bias != nullptr && bias->num_elements() != n) {
      return unimplemented(std::string(name()) + " on the GPU: the bias " +
                           shape_to_string(bias->shape()) +
                           " is not one row of N = " + std::to_string(n));
    }
    Shape out = a.shape();
    out.back() = n;
    ASSIGN_OR_RETURN(Tensor y, run.output(DataType::kFloat32, out));
    const int64_t m = n == 0 ? 0 : y.num_elements() / n;
    if (z != nullptr && z->shape() != out) {
      return unimplemented("FusedMatMul on the GPU: the residual " + shape_to_string(z->shape()) +
                           " must have the output's shape " + shape_to_string(out));
    }
    const float* pb = bias != nullptr ? f32(*bias) : nullptr;
    const bool lt_epilogue =
        z == nullptr && (e_.act == Activation::kNone || e_.act == Activation::kRelu);
    RETURN_IF_ERROR(run_gemm(run, f32(a), b, trans_b_, f32(y), m, n, k, lt_epilogue ? pb : nullptr,
                             lt_epilogue && e_.act == Activation::kRelu));
    if (!lt_epilogue) {
      RETURN_IF_ERROR(fused_epilogue_f32(f32(y), pb, z != nullptr ? f32(*z) : nullptr, f32(y),
                                         y.num_elements(), n, 1, e_, run.stream()));
    }
    return y;
  }

 private:
  const char* name() const {
    return op_ == GemmOp::kFusedMatMul ? "FusedMatMul" : op_ == GemmOp::kMatMul ? "MatMul" : "Gemm";
  }
  GemmOp op_;
  Epilogue e_;
  bool trans_b_;
};

Result<std::unique_ptr<exec::Kernel>> make_fused_matmul(const ir::Node& node) {
  if (node.attributes.has("packed_n")) return unimplemented("packed weights are the CPU's layout");
  RETURN_IF_ERROR(exec::check_arity(node, 2, 4));
  ASSIGN_OR_RETURN(cpu::Activation act, cpu::Activation::from_node(node));
  ASSIGN_OR_RETURN(Epilogue e, epilogue_of(act));
  return exec::make_kernel<GemmKernel>(GemmOp::kFusedMatMul, e, false);
}

Result<std::unique_ptr<exec::Kernel>> make_matmul(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
  return exec::make_kernel<GemmKernel>(GemmOp::kMatMul, Epilogue{}, false);
}

Result<std::unique_ptr<exec::Kernel>> make_gemm(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 3));
  ASSIGN_OR_RETURN(float alpha, node.attributes.get_float("alpha", 1.f));
  ASSIGN_OR_RETURN(float beta, node.attributes.get_float("beta", 1.f));
  ASSIGN_OR_RETURN(int64_t trans_a, node.attributes.get_int("transA", 0));
  ASSIGN_OR_RETURN(int64_t trans_b, node.attributes.get_int("transB", 0));
  if (alpha != 1.f || beta != 1.f || trans_a != 0) {
    return unimplemented("Gemm on the GPU needs alpha = beta = 1 and transA = 0");
  }
  return exec::make_kernel<GemmKernel>(GemmOp::kGemm, Epilogue{}, trans_b != 0);
}

// ---------------------------------------------------------------------------------------------
// Attention, normalization, softmax

class AttentionKernel final : public CudaKernel {
 public:
  explicit AttentionKernel(float scale) : scale_(scale) {}
  Status infer_types(std::span<const DataType> in, std::span<DataType> out) const override {
    return float32_only(in, out, "FusedAttention");
  }
  Result<Tensor> run_on(CudaRun& run, std::span<const Tensor* const> inputs) const override {
    const Tensor& q = *inputs[0];
    const Tensor& k = *inputs[1];
    const Tensor& v = *inputs[2];
    const Tensor* mask = inputs.size() > 3 ? inputs[3] : nullptr;
    if (q.rank() != 4 || k.shape() != q.shape() || v.shape() != q.shape()) {
      return unimplemented(
          "FusedAttention on the GPU needs Q, K and V of one shape [B, S, H, D], got " +
          shape_to_string(q.shape()) + ", " + shape_to_string(k.shape()) + ", " +
          shape_to_string(v.shape()));
    }
    const int64_t b = q.shape()[0], s = q.shape()[1], h = q.shape()[2], d = q.shape()[3];
    if (mask != nullptr) {
      // The additive key mask of BERT: [B, 1, 1, S] or [B, S].
      const Shape& ms = mask->shape();
      const bool per_key =
          mask->num_elements() == b * s && !ms.empty() && ms.back() == s &&
          (ms.size() == 2 || (ms.size() == 4 && ms[0] == b && ms[1] == 1 && ms[2] == 1));
      if (!per_key) {
        return unimplemented("FusedAttention on the GPU: the mask " + shape_to_string(ms) +
                             " is not one additive value per key ([B, 1, 1, S])");
      }
    }
    const Shape heads_first = {b, h, s, d};
    const int64_t perm[4] = {0, 2, 1, 3};
    const size_t bytes = static_cast<size_t>(q.num_elements()) * 4;
    ASSIGN_OR_RETURN(void* qt, run.scratch(bytes));
    ASSIGN_OR_RETURN(void* kt, run.scratch(bytes));
    ASSIGN_OR_RETURN(void* vt, run.scratch(bytes));
    ASSIGN_OR_RETURN(void* ot, run.scratch(bytes));
    ASSIGN_OR_RETURN(void* scores, run.scratch(static_cast<size_t>(b * h * s * s) * 4));
    RETURN_IF_ERROR(permute_32bit(q.raw_data(), qt, 4, q.shape().data(), perm, run.stream()));
    RETURN_IF_ERROR(permute_32bit(k.raw_data(), kt, 4, k.shape().data(), perm, run.stream()));
    RETURN_IF_ERROR(permute_32bit(v.raw_data(), vt, 4, v.shape().data(), perm, run.stream()));
    AttentionArgs args;
    args.batch = b;
    args.heads = h;
    args.seq = s;
    args.head_dim = d;
    args.q = static_cast<const float*>(qt);
    args.k = static_cast<const float*>(kt);
    args.v = static_cast<const float*>(vt);
    args.mask = mask != nullptr ? f32(*mask) : nullptr;
    args.scores = static_cast<float*>(scores);
    args.out = static_cast<float*>(ot);
    args.scale = scale_;
    const Precision p = run.precision() == Precision::kFp32 ? Precision::kFp32 : Precision::kTf32;
    RETURN_IF_ERROR(attention_f32(run.gemm(), args, p, run.stream()));
    ASSIGN_OR_RETURN(Tensor y, run.output(DataType::kFloat32, q.shape()));
    RETURN_IF_ERROR(
        permute_32bit(ot, y.mutable_raw_data(), 4, heads_first.data(), perm, run.stream()));
    return y;
  }

 private:
  float scale_;
};

Result<std::unique_ptr<exec::Kernel>> make_attention(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 3, 4));
  ASSIGN_OR_RETURN(float scale, node.attributes.get_float("scale", 1.f));
  return exec::make_kernel<AttentionKernel>(scale);
}

class LayerNormKernel final : public CudaKernel {
 public:
  LayerNormKernel(int64_t axis, float epsilon) : axis_(axis), epsilon_(epsilon) {}
  Status infer_types(std::span<const DataType> in, std::span<DataType> out) const override {
    return float32_only(in, out, "LayerNormalization");
  }
  Result<Tensor> run_on(CudaRun& run, std::span<const Tensor* const> inputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& gamma = *inputs[1];
    const Tensor* beta = inputs.size() > 2 ? inputs[2] : nullptr;
    ASSIGN_OR_RETURN(int64_t axis, exec::normalize_axis(axis_, x.rank()));
    if (axis != x.rank() - 1) {
      return unimplemented(
          "LayerNormalization on the GPU normalizes the last axis only, got axis " +
          std::to_string(axis_) + " of " + shape_to_string(x.shape()));
    }
    const int64_t cols = x.shape().back();
    const int64_t rows = cols == 0 ? 0 : x.num_elements() / cols;
    if (gamma.num_elements() != cols || (beta != nullptr && beta->num_elements() != cols)) {
      return unimplemented("LayerNormalization on the GPU: scale and bias must have " +
                           std::to_string(cols) + " elements");
    }
    ASSIGN_OR_RETURN(Tensor y, run.output(DataType::kFloat32, x.shape()));
    RETURN_IF_ERROR(layer_norm_f32(f32(x), nullptr, f32(gamma), beta ? f32(*beta) : nullptr, f32(y),
                                   rows, cols, epsilon_, run.stream()));
    return y;
  }

 private:
  int64_t axis_;
  float epsilon_;
};

Result<std::unique_ptr<exec::Kernel>> make_layer_norm(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 3, 1));
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", -1));
  ASSIGN_OR_RETURN(float epsilon, node.attributes.get_float("epsilon", 1e-5f));
  return exec::make_kernel<LayerNormKernel>(axis, epsilon);
}

// Softmax: opset 13+ over one axis (the last, on the GPU); before 13, over the input coerced to
// 2-D at `axis` (any axis: rows are the dims before it).
class SoftmaxKernel final : public CudaKernel {
 public:
  SoftmaxKernel(int64_t axis, bool coerce_2d) : axis_(axis), coerce_2d_(coerce_2d) {}
  Status infer_types(std::span<const DataType> in, std::span<DataType> out) const override {
    return float32_only(in, out, "Softmax");
  }
  Result<Tensor> run_on(CudaRun& run, std::span<const Tensor* const> inputs) const override {
    const Tensor& x = *inputs[0];
    ASSIGN_OR_RETURN(int64_t axis, exec::normalize_axis(axis_, x.rank()));
    if (!coerce_2d_ && axis != x.rank() - 1) {
      return unimplemented("Softmax on the GPU runs over the last axis only, got axis " +
                           std::to_string(axis_) + " of " + shape_to_string(x.shape()));
    }
    int64_t cols = 1;
    for (int64_t d = axis; d < x.rank(); ++d) cols *= x.shape()[static_cast<size_t>(d)];
    const int64_t rows = cols == 0 ? 0 : x.num_elements() / cols;
    ASSIGN_OR_RETURN(Tensor y, run.output(DataType::kFloat32, x.shape()));
    RETURN_IF_ERROR(softmax_rows_f32(f32(x), f32(y), rows, cols, run.stream()));
    return y;
  }

 private:
  int64_t axis_;
  bool coerce_2d_;
};

Result<std::unique_ptr<exec::Kernel>> make_softmax(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  const bool coerce = node.opset < 13;
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", coerce ? 1 : -1));
  return exec::make_kernel<SoftmaxKernel>(axis, coerce);
}

// ---------------------------------------------------------------------------------------------
// Data movement: Cast, Gather, Transpose, Concat

// Cast to float32 (BERT's attention mask: int64 -> float) from int64, int32, bool or float32.
class CastKernel final : public CudaKernel {
 public:
  Status infer_types(std::span<const DataType> in, std::span<DataType> out) const override {
    const DataType t = in.empty() ? DataType::kUndefined : in[0];
    if (t != DataType::kUndefined && t != DataType::kInt64 && t != DataType::kInt32 &&
        t != DataType::kBool && t != DataType::kFloat32) {
      return unimplemented("Cast on the GPU converts int64, int32, bool and float32, got " +
                           std::string(dtype_name(t)));
    }
    if (!out.empty()) out[0] = DataType::kFloat32;
    return Status::ok_status();
  }
  Result<Tensor> run_on(CudaRun& run, std::span<const Tensor* const> inputs) const override {
    const Tensor& x = *inputs[0];
    const int64_t n = x.num_elements();
    ASSIGN_OR_RETURN(Tensor y, run.output(DataType::kFloat32, x.shape()));
    switch (x.dtype()) {
      case DataType::kInt64:
        RETURN_IF_ERROR(
            i64_to_f32(static_cast<const int64_t*>(x.raw_data()), f32(y), n, run.stream()));
        break;
      case DataType::kInt32:
        RETURN_IF_ERROR(
            i32_to_f32(static_cast<const int32_t*>(x.raw_data()), f32(y), n, run.stream()));
        break;
      case DataType::kBool:
        RETURN_IF_ERROR(
            u8_to_f32(static_cast<const uint8_t*>(x.raw_data()), f32(y), n, run.stream()));
        break;
      case DataType::kFloat32:
        if (n > 0) {
          MODELHOST_CUDA_RETURN_IF_ERROR(
              cudaMemcpyAsync(y.mutable_raw_data(), x.raw_data(), x.byte_size(),
                              cudaMemcpyDeviceToDevice, run.stream()),
              "cudaMemcpyAsync (Cast)");
        }
        break;
      default:
        return unimplemented("Cast on the GPU: " + std::string(dtype_name(x.dtype())));
    }
    return y;
  }
};

// Expand: x broadcast to the shape given on the host (numpy rules), for the broadcasts
// broadcast_pattern covers.
class ExpandKernel final : public CudaKernel {
 public:
  ExpandKernel() : CudaKernel(kAxesHostInputs) {}
  Status infer_types(std::span<const DataType> in, std::span<DataType> out) const override {
    if (!in.empty() && in[0] != DataType::kUndefined && in[0] != DataType::kFloat32) {
      return unimplemented("Expand on the GPU takes float32, got " +
                           std::string(dtype_name(in[0])));
    }
    if (!out.empty()) out[0] = DataType::kFloat32;
    return Status::ok_status();
  }
  Result<Tensor> run_on(CudaRun& run, std::span<const Tensor* const> inputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& shape = *inputs[1];
    const int64_t* want = shape.data<int64_t>();
    const size_t rank =
        std::max<size_t>(x.shape().size(), static_cast<size_t>(shape.num_elements()));
    Shape out(rank, 1);
    for (size_t i = 0; i < rank; ++i) {
      const size_t xo = rank - x.shape().size(),
                   so = rank - static_cast<size_t>(shape.num_elements());
      const int64_t a = i >= xo ? x.shape()[i - xo] : 1;
      const int64_t b = i >= so ? want[i - so] : 1;
      if (a != b && a != 1 && b != 1) {
        return invalid_argument(
            "Expand: " + shape_to_string(x.shape()) + " does not broadcast to " +
            shape_to_string(std::span<const int64_t>(want, shape.num_elements())));
      }
      out[i] = a == 1 ? b : a;
    }
    int64_t period = 0, repeat = 0;
    if (!broadcast_pattern(out, x.shape(), period, repeat)) {
      return unimplemented("Expand on the GPU: " + shape_to_string(x.shape()) + " to " +
                           shape_to_string(out) + " is not supported");
    }
    ASSIGN_OR_RETURN(Tensor y, run.output(DataType::kFloat32, out));
    RETURN_IF_ERROR(
        broadcast_copy_f32(f32(x), f32(y), y.num_elements(), period, repeat, run.stream()));
    return y;
  }
};

// Slice with step 1 on float32 data; starts, ends, axes and steps are read on the host.
class SliceKernel final : public CudaKernel {
 public:
  SliceKernel() : CudaKernel(kSliceHostInputs) {}
  Status infer_types(std::span<const DataType> in, std::span<DataType> out) const override {
    if (!in.empty() && in[0] != DataType::kUndefined && in[0] != DataType::kFloat32) {
      return unimplemented(
          "Slice on the GPU takes float32 data (shape arithmetic stays on the "
          "CPU), got " +
          std::string(dtype_name(in[0])));
    }
    for (size_t i = 1; i < in.size(); ++i) {
      if (in[i] != DataType::kUndefined && in[i] != DataType::kInt64) {
        return unimplemented("Slice on the GPU takes int64 starts, ends, axes and steps");
      }
    }
    if (!out.empty()) out[0] = DataType::kFloat32;
    return Status::ok_status();
  }
  Result<Tensor> run_on(CudaRun& run, std::span<const Tensor* const> inputs) const override {
    const Tensor& x = *inputs[0];
    const int rank = static_cast<int>(x.rank());
    if (rank < 1 || rank > kMaxPermuteRank) {
      return unimplemented("Slice on the GPU: rank " + std::to_string(rank));
    }
    auto list = [&](size_t i) -> std::vector<int64_t> {
      if (inputs.size() <= i || inputs[i] == nullptr) return {};
      const Tensor& t = *inputs[i];
      return std::vector<int64_t>(t.data<int64_t>(), t.data<int64_t>() + t.num_elements());
    };
    const std::vector<int64_t> starts = list(1), ends = list(2), steps = list(4);
    std::vector<int64_t> axes = list(3);
    if (axes.empty()) {
      for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
    }
    if (ends.size() != starts.size() || axes.size() != starts.size() ||
        (!steps.empty() && steps.size() != starts.size())) {
      return invalid_argument("Slice: starts, ends, axes and steps differ in length");
    }
    std::vector<int64_t> begin(static_cast<size_t>(rank), 0);
    Shape out = x.shape();
    for (size_t i = 0; i < starts.size(); ++i) {
      if (!steps.empty() && steps[i] != 1) {
        return unimplemented("Slice on the GPU takes step 1, got " + std::to_string(steps[i]));
      }
      ASSIGN_OR_RETURN(int64_t a, exec::normalize_axis(axes[i], rank));
      const int64_t dim = x.shape()[static_cast<size_t>(a)];
      auto clamp = [dim](int64_t v) {
        if (v < 0) v += dim;
        return std::clamp<int64_t>(v, 0, dim);
      };
      const int64_t b = clamp(starts[i]), e = clamp(ends[i]);
      begin[static_cast<size_t>(a)] = b;
      out[static_cast<size_t>(a)] = std::max<int64_t>(e - b, 0);
    }
    ASSIGN_OR_RETURN(Tensor y, run.output(DataType::kFloat32, out));
    RETURN_IF_ERROR(slice_32bit(x.raw_data(), y.mutable_raw_data(), rank, x.shape().data(),
                                begin.data(), out.data(), run.stream()));
    return y;
  }
};

// Resize of NCHW float32 on the two spatial dims: nearest (asymmetric, round_prefer_floor) or
// linear (half_pixel), the modes resize_2d_f32 implements; sizes or scales read on the host.
class ResizeKernel final : public CudaKernel {
 public:
  ResizeKernel(ResizeMode mode, bool pytorch_half_pixel)
      : CudaKernel(kResizeHostInputs), mode_(mode), pytorch_half_pixel_(pytorch_half_pixel) {}
  Status infer_types(std::span<const DataType> in, std::span<DataType> out) const override {
    if (!in.empty() && in[0] != DataType::kUndefined && in[0] != DataType::kFloat32) {
      return unimplemented("Resize on the GPU takes float32, got " +
                           std::string(dtype_name(in[0])));
    }
    if (!out.empty()) out[0] = DataType::kFloat32;
    return Status::ok_status();
  }
  Result<Tensor> run_on(CudaRun& run, std::span<const Tensor* const> inputs) const override {
    const Tensor& x = *inputs[0];
    if (x.rank() != 4) {
      return unimplemented("Resize on the GPU is 2-D (NCHW), got " + shape_to_string(x.shape()));
    }
    const Shape& s = x.shape();
    Shape out = s;
    const Tensor* scales = inputs.size() > 2 ? inputs[2] : nullptr;
    const Tensor* sizes = inputs.size() > 3 ? inputs[3] : nullptr;
    if (sizes != nullptr && sizes->num_elements() > 0) {
      if (sizes->num_elements() != 4 || sizes->dtype() != DataType::kInt64) {
        return invalid_argument("Resize: sizes must be 4 int64 values");
      }
      for (size_t d = 0; d < 4; ++d) out[d] = sizes->data<int64_t>()[d];
    } else if (scales != nullptr && scales->num_elements() == 4 &&
               scales->dtype() == DataType::kFloat32) {
      for (size_t d = 0; d < 4; ++d) {
        const double want = static_cast<double>(s[d]) * scales->data<float>()[d];
        out[d] = static_cast<int64_t>(std::floor(want));
        if (std::fabs(want - static_cast<double>(out[d])) > 1e-6) {
          return unimplemented("Resize on the GPU: a scale that does not give whole sizes");
        }
      }
    } else {
      return invalid_argument("Resize needs 4 scales or 4 sizes");
    }
    if (out[0] != s[0] || out[1] != s[1] || out[2] < 1 || out[3] < 1) {
      return unimplemented("Resize on the GPU scales the spatial dims only, " + shape_to_string(s) +
                           " to " + shape_to_string(out));
    }
    if (pytorch_half_pixel_ && (out[2] == 1 || out[3] == 1)) {
      return unimplemented("Resize on the GPU: pytorch_half_pixel to a size of 1");
    }
    ASSIGN_OR_RETURN(Tensor y, run.output(DataType::kFloat32, out));
    RETURN_IF_ERROR(resize_2d_f32(f32(x), f32(y), s[0] * s[1], s[2], s[3], out[2], out[3], mode_,
                                  run.stream()));
    return y;
  }

 private:
  ResizeMode mode_;
  bool pytorch_half_pixel_;
};

Result<std::unique_ptr<exec::Kernel>> make_resize(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 4));
  ASSIGN_OR_RETURN(std::string mode, node.attributes.get_string("mode", "nearest"));
  ASSIGN_OR_RETURN(std::string ctm,
                   node.attributes.get_string("coordinate_transformation_mode", "half_pixel"));
  ASSIGN_OR_RETURN(std::string nearest,
                   node.attributes.get_string("nearest_mode", "round_prefer_floor"));
  ASSIGN_OR_RETURN(int64_t antialias, node.attributes.get_int("antialias", 0));
  ASSIGN_OR_RETURN(int64_t exclude, node.attributes.get_int("exclude_outside", 0));
  if (antialias != 0 || exclude != 0 || node.attributes.has("axes")) {
    return unimplemented(
        "Resize on the GPU: antialias, exclude_outside and axes are not supported");
  }
  if (mode == "nearest" && ctm == "asymmetric" && nearest == "round_prefer_floor") {
    return exec::make_kernel<ResizeKernel>(ResizeMode::kNearest, false);
  }
  if (mode == "linear" && (ctm == "half_pixel" || ctm == "pytorch_half_pixel")) {
    return exec::make_kernel<ResizeKernel>(ResizeMode::kLinear, ctm == "pytorch_half_pixel");
  }
  return unimplemented("Resize on the GPU: mode " + mode + " with " + ctm +
                       " coordinates is not supported (nearest: asymmetric, round_prefer_floor; "
                       "linear: half_pixel)");
}

Result<std::unique_ptr<exec::Kernel>> make_cast(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  ASSIGN_OR_RETURN(int64_t to, node.attributes.get_int("to", 0));
  if (to != 1) return unimplemented("Cast on the GPU converts to float32 only");  // 1: FLOAT
  return exec::make_kernel<CastKernel>();
}

class GatherKernel final : public CudaKernel {
 public:
  explicit GatherKernel(int64_t axis) : axis_(axis) {}
  Status infer_types(std::span<const DataType> in, std::span<DataType> out) const override {
    if (!in.empty() && in[0] != DataType::kUndefined && in[0] != DataType::kFloat32) {
      return unimplemented(
          "Gather on the GPU takes float32 data (int64 shape arithmetic stays on "
          "the CPU), got " +
          std::string(dtype_name(in[0])));
    }
    if (in.size() > 1 && in[1] != DataType::kUndefined && in[1] != DataType::kInt64) {
      return unimplemented("Gather on the GPU takes int64 indices, got " +
                           std::string(dtype_name(in[1])));
    }
    if (!out.empty()) out[0] = DataType::kFloat32;
    return Status::ok_status();
  }
  Result<Tensor> run_on(CudaRun& run, std::span<const Tensor* const> inputs) const override {
    const Tensor& data = *inputs[0];
    const Tensor& idx = *inputs[1];
    ASSIGN_OR_RETURN(int64_t axis, exec::normalize_axis(axis_, data.rank()));
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= data.shape()[static_cast<size_t>(d)];
    for (int64_t d = axis + 1; d < data.rank(); ++d) inner *= data.shape()[static_cast<size_t>(d)];
    Shape out(data.shape().begin(), data.shape().begin() + axis);
    out.insert(out.end(), idx.shape().begin(), idx.shape().end());
    out.insert(out.end(), data.shape().begin() + axis + 1, data.shape().end());
    ASSIGN_OR_RETURN(Tensor y, run.output(DataType::kFloat32, out));
    RETURN_IF_ERROR(
        gather_axis_32bit(data.raw_data(), outer, data.shape()[static_cast<size_t>(axis)], inner,
                          static_cast<const int64_t*>(idx.raw_data()), idx.num_elements(),
                          y.mutable_raw_data(), run.flag(), kFlagGatherIndex, run.stream()));
    return y;
  }

 private:
  int64_t axis_;
};

Result<std::unique_ptr<exec::Kernel>> make_gather(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", 0));
  return exec::make_kernel<GatherKernel>(axis);
}

class TransposeKernel final : public CudaKernel {
 public:
  explicit TransposeKernel(std::vector<int64_t> perm) : perm_(std::move(perm)) {}
  Status infer_types(std::span<const DataType> in, std::span<DataType> out) const override {
    return float32_only(in, out, "Transpose");
  }
  Result<Tensor> run_on(CudaRun& run, std::span<const Tensor* const> inputs) const override {
    const Tensor& x = *inputs[0];
    const int rank = static_cast<int>(x.rank());
    if (rank > kMaxPermuteRank) {
      return unimplemented("Transpose on the GPU: rank " + std::to_string(rank) + " is above " +
                           std::to_string(kMaxPermuteRank));
    }
    std::vector<int64_t> perm = perm_;
    if (perm.empty()) {
      for (int d = rank - 1; d >= 0; --d) perm.push_back(d);
    }
    if (static_cast<int>(perm.size()) != rank) {
      return invalid_argument("perm has " + std::to_string(perm.size()) + " entries for rank " +
                              std::to_string(rank));
    }
    Shape out;
    for (int64_t p : perm) {
      if (p < 0 || p >= rank) return invalid_argument("perm is not a permutation");
      out.push_back(x.shape()[static_cast<size_t>(p)]);
    }
    ASSIGN_OR_RETURN(Tensor y, run.output(DataType::kFloat32, out));
    if (rank > 0) {
      RETURN_IF_ERROR(permute_32bit(x.raw_data(), y.mutable_raw_data(), rank, x.shape().data(),
                                    perm.data(), run.stream()));
    }
    return y;
  }

 private:
  std::vector<int64_t> perm_;
};

Result<std::unique_ptr<exec::Kernel>> make_transpose(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  ASSIGN_OR_RETURN(std::vector<int64_t> perm, node.attributes.get_ints("perm", {}));
  return exec::make_kernel<TransposeKernel>(std::move(perm));
}

class ConcatKernel final : public CudaKernel {
 public:
  explicit ConcatKernel(int64_t axis) : axis_(axis) {}
  Status infer_types(std::span<const DataType> in, std::span<DataType> out) const override {
    return float32_only(in, out, "Concat");
  }
  Result<Tensor> run_on(CudaRun& run, std::span<const Tensor* const> inputs) const override {
    const Tensor& first = *inputs[0];
    ASSIGN_OR_RETURN(int64_t axis, exec::normalize_axis(axis_, first.rank()));
    Shape out = first.shape();
    out[static_cast<size_t>(axis)] = 0;
    for (const Tensor* t : inputs) {
      if (t->rank() != first.rank()) return invalid_argument("Concat inputs differ in rank");
      for (int64_t d = 0; d < first.rank(); ++d) {
        if (d != axis &&
            t->shape()[static_cast<size_t>(d)] != first.shape()[static_cast<size_t>(d)]) {
          return invalid_argument("Concat inputs " + shape_to_string(first.shape()) + " and " +
                                  shape_to_string(t->shape()) + " differ off the axis");
        }
      }
      out[static_cast<size_t>(axis)] += t->shape()[static_cast<size_t>(axis)];
    }
    ASSIGN_OR_RETURN(Tensor y, run.output(DataType::kFloat32, out));
    int64_t rows = 1;
    for (int64_t d = 0; d < axis; ++d) rows *= out[static_cast<size_t>(d)];
    const size_t out_row = static_cast<size_t>(y.num_elements() / (rows == 0 ? 1 : rows)) * 4;
    size_t offset = 0;
    for (const Tensor* t : inputs) {
      const size_t row = static_cast<size_t>(t->num_elements() / (rows == 0 ? 1 : rows)) * 4;
      if (row > 0 && rows > 0) {
        RETURN_IF_ERROR(copy_2d(t->raw_data(), row,
                                static_cast<char*>(y.mutable_raw_data()) + offset, out_row, row,
                                static_cast<size_t>(rows), run.stream()));
      }
      offset += row;
    }
    return y;
  }

 private:
  int64_t axis_;
};

Result<std::unique_ptr<exec::Kernel>> make_concat(const ir::Node& node) {
  if (node.inputs.empty()) return invalid_argument("Concat needs at least one input");
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", 0));
  return exec::make_kernel<ConcatKernel>(axis);
}

// ReduceSum / ReduceMean / ReduceMax / ReduceL2 over one axis or adjacent axes (axes from the
// attribute, or from a second input read on the host from the op's axes-input opset).
class ReduceKernel final : public CudaKernel {
 public:
  ReduceKernel(std::string op, ReduceKind kind, std::vector<int64_t> axes, bool keepdims,
               bool noop_empty, bool axes_input)
      : CudaKernel(kAxesHostInputs),
        op_(std::move(op)),
        kind_(kind),
        axes_(std::move(axes)),
        keepdims_(keepdims),
        noop_empty_(noop_empty),
        axes_input_(axes_input) {}
  Status infer_types(std::span<const DataType> in, std::span<DataType> out) const override {
    if (!in.empty() && in[0] != DataType::kUndefined && in[0] != DataType::kFloat32) {
      return unimplemented(op_ + " on the GPU takes float32, got " +
                           std::string(dtype_name(in[0])));
    }
    if (!out.empty()) out[0] = DataType::kFloat32;
    return Status::ok_status();
  }
  Result<Tensor> run_on(CudaRun& run, std::span<const Tensor* const> inputs) const override {
    const Tensor& x = *inputs[0];
    std::vector<int64_t> axes = axes_;
    if (axes_input_ && inputs.size() > 1 && inputs[1] != nullptr) {
      const Tensor& a = *inputs[1];
      axes.assign(a.data<int64_t>(), a.data<int64_t>() + a.num_elements());
    }
    std::vector<bool> reduced(static_cast<size_t>(x.rank()), axes.empty() && !noop_empty_);
    for (int64_t a : axes) {
      ASSIGN_OR_RETURN(int64_t n, exec::normalize_axis(a, x.rank()));
      reduced[static_cast<size_t>(n)] = true;
    }
    int64_t first = -1, last = -1;
    for (int64_t d = 0; d < x.rank(); ++d) {
      if (!reduced[static_cast<size_t>(d)]) continue;
      if (last >= 0 && last != d - 1) {
        return unimplemented(op_ + " on the GPU reduces adjacent axes only");
      }
      if (first < 0) first = d;
      last = d;
    }
    int64_t outer = 1, r = 1, inner = 1;
    Shape out;
    for (int64_t d = 0; d < x.rank(); ++d) {
      const int64_t dim = x.shape()[static_cast<size_t>(d)];
      if (first >= 0 && d >= first && d <= last) {
        r *= dim;
        if (keepdims_) out.push_back(1);
      } else {
        (first >= 0 && d > last ? inner : outer) *= dim;
        out.push_back(dim);
      }
    }
    ASSIGN_OR_RETURN(Tensor y, run.output(DataType::kFloat32, out));
    RETURN_IF_ERROR(reduce_axis_f32(f32(x), f32(y), outer, r, inner, kind_, run.stream()));
    return y;
  }

 private:
  std::string op_;
  ReduceKind kind_;
  std::vector<int64_t> axes_;
  bool keepdims_, noop_empty_, axes_input_;
};

exec::KernelFactory reduce(const char* op, ReduceKind kind, int64_t axes_input_since) {
  return
      [op, kind, axes_input_since](const ir::Node& node) -> Result<std::unique_ptr<exec::Kernel>> {
        const bool from_input = node.opset >= axes_input_since;
        RETURN_IF_ERROR(exec::check_arity(node, 1, from_input ? 2 : 1));
        ASSIGN_OR_RETURN(std::vector<int64_t> axes, node.attributes.get_ints("axes", {}));
        ASSIGN_OR_RETURN(int64_t keepdims, node.attributes.get_int("keepdims", 1));
        ASSIGN_OR_RETURN(int64_t noop, node.attributes.get_int("noop_with_empty_axes", 0));
        return exec::make_kernel<ReduceKernel>(op, kind, std::move(axes), keepdims != 0, noop != 0,
                                               from_input);
      };
}

// ---------------------------------------------------------------------------------------------
// Pooling

class GlobalAveragePoolKernel final : public CudaKernel {
 public:
  Status infer_types(std::span<const DataType> in, std::span<DataType> out) const override {
    return float32_only(in, out, "GlobalAveragePool");
  }
  Result<Tensor> run_on(CudaRun& run, std::span<const Tensor* const> inputs) const override {
    const Tensor& x = *inputs[0];
    if (x.rank() < 3) {
      return invalid_argument("GlobalAveragePool needs [N, C, ...], got " +
                              shape_to_string(x.shape()));
    }
    Shape out = {x.shape()[0], x.shape()[1]};
    int64_t spatial = 1;
    for (int64_t d = 2; d < x.rank(); ++d) {
      spatial *= x.shape()[static_cast<size_t>(d)];
      out.push_back(1);
    }
    ASSIGN_OR_RETURN(Tensor y, run.output(DataType::kFloat32, out));
    RETURN_IF_ERROR(row_mean_f32(f32(x), f32(y), out[0] * out[1], spatial, run.stream()));
    return y;
  }
};

class Pool2dKernel final : public CudaKernel {
 public:
  Pool2dKernel(bool max, cpu::WindowAttrs attrs) : max_(max), attrs_(std::move(attrs)) {}
  Status infer_types(std::span<const DataType> in, std::span<DataType> out) const override {
    return float32_only(in, out, max_ ? "MaxPool" : "AveragePool");
  }
  Result<Tensor> run_on(CudaRun& run, std::span<const Tensor* const> inputs) const override {
    const Tensor& x = *inputs[0];
    if (x.rank() != 4) {
      return unimplemented("pooling on the GPU is 2-D (NCHW), got " + shape_to_string(x.shape()));
    }
    const Shape& s = x.shape();
    ASSIGN_OR_RETURN(
        cpu::Geometry3 g,
        cpu::resolve_geometry(attrs_, std::span<const int64_t>(s.data() + 2, 2), attrs_.kernel));
    if (g.pad_begin[1] != g.pad_end[1] || g.pad_begin[2] != g.pad_end[2]) {
      return unimplemented("pooling on the GPU needs symmetric pads");
    }
    Pool2d p;
    p.n = s[0];
    p.c = s[1];
    p.h = s[2];
    p.w = s[3];
    p.kh = g.kernel[1];
    p.kw = g.kernel[2];
    p.stride_h = g.stride[1];
    p.stride_w = g.stride[2];
    p.pad_h = g.pad_begin[1];
    p.pad_w = g.pad_begin[2];
    ASSIGN_OR_RETURN(Tensor y, run.output(DataType::kFloat32, {p.n, p.c, p.out_h(), p.out_w()}));
    RETURN_IF_ERROR(max_ ? max_pool_2d_f32(f32(x), f32(y), p, run.stream())
                         : avg_pool_2d_f32(f32(x), f32(y), p, run.stream()));
    return y;
  }

 private:
  bool max_;
  cpu::WindowAttrs attrs_;
};

Result<std::unique_ptr<exec::Kernel>> make_pool(const ir::Node& node, bool max) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1, 1));  // MaxPool's Indices output: CPU
  ASSIGN_OR_RETURN(cpu::WindowAttrs attrs, cpu::parse_window_attrs(node, true));
  if (attrs.kernel.size() != 2) return unimplemented("pooling on the GPU is 2-D");
  if (attrs.ceil_mode) return unimplemented("ceil_mode is not supported on the GPU");
  for (int64_t d : attrs.dilations) {
    if (d != 1) return unimplemented("pooling dilations are not supported on the GPU");
  }
  ASSIGN_OR_RETURN(int64_t storage_order, node.attributes.get_int("storage_order", 0));
  ASSIGN_OR_RETURN(int64_t count_pad, node.attributes.get_int("count_include_pad", 0));
  if (storage_order != 0 || count_pad != 0) {
    return unimplemented("storage_order and count_include_pad are not supported on the GPU");
  }
  return exec::make_kernel<Pool2dKernel>(max, std::move(attrs));
}

// ---------------------------------------------------------------------------------------------
// Convolution (cuDNN)

#ifdef MODELHOST_HAVE_CUDNN
class ConvKernel final : public CudaKernel {
 public:
  ConvKernel(cpu::WindowAttrs attrs, int64_t group, Epilogue e)
      : attrs_(std::move(attrs)), group_(group), e_(e) {}
  Status infer_types(std::span<const DataType> in, std::span<DataType> out) const override {
    return float32_only(in, out, "Conv");
  }
  Result<Tensor> run_on(CudaRun& run, std::span<const Tensor* const> inputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& w = *inputs[1];
    const Tensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
    const Tensor* z = inputs.size() > 3 ? inputs[3] : nullptr;
    if (x.rank() != 4 || w.rank() != 4) {
      return unimplemented("convolution on the GPU is 2-D (NCHW), got " +
                           shape_to_string(x.shape()) + " * " + shape_to_string(w.shape()));
    }
    const Shape& s = x.shape();
    const Shape& ws = w.shape();
    if (ws[1] * group_ != s[1] || ws[0] % group_ != 0) {
      return invalid_argument("input " + shape_to_string(s) + " and weight " + shape_to_string(ws) +
                              " do not agree with group " + std::to_string(group_));
    }
    ASSIGN_OR_RETURN(cpu::Geometry3 g,
                     cpu::resolve_geometry(attrs_, std::span<const int64_t>(s.data() + 2, 2),
                                           std::span<const int64_t>(ws.data() + 2, 2)));
    if (g.pad_begin[1] != g.pad_end[1] || g.pad_begin[2] != g.pad_end[2]) {
      return unimplemented("convolution on the GPU needs symmetric pads");
    }
    ConvShape cs;
    cs.n = s[0];
    cs.c = s[1];
    cs.h = s[2];
    cs.w = s[3];
    cs.k = ws[0];
    cs.r = ws[2];
    cs.s = ws[3];
    cs.pad_h = g.pad_begin[1];
    cs.pad_w = g.pad_begin[2];
    cs.stride_h = g.stride[1];
    cs.stride_w = g.stride[2];
    cs.dilation_h = g.dilation[1];
    cs.dilation_w = g.dilation[2];
    cs.groups = group_;
    const Shape out = {cs.n, cs.k, cs.out_h(), cs.out_w()};
    if (z != nullptr && z->shape() != out) {
      return unimplemented("FusedConv on the GPU: the residual " + shape_to_string(z->shape()) +
                           " must have the output's shape " + shape_to_string(out));
    }
    if (bias != nullptr && bias->num_elements() != cs.k) {
      return invalid_argument("bias " + shape_to_string(bias->shape()) + " does not have " +
                              std::to_string(cs.k) + " elements");
    }
    // fp16 runs cuDNN in fp16; bf16 in float32 storage with tensor cores (TF32).
    const Precision p = run.precision() == Precision::kBf16 ? Precision::kTf32 : run.precision();
    Lane& lane = run.lane();
    auto key = std::make_pair(static_cast<const void*>(this), s);
    auto it = lane.conv_plans.find(key);
    if (it == lane.conv_plans.end()) {
      ASSIGN_OR_RETURN(auto plan, ConvPlan::create(lane.cudnn, cs, p));
      it = lane.conv_plans.emplace(key, std::move(plan)).first;
    }
    const ConvPlan& plan = *it->second;
    ASSIGN_OR_RETURN(void* workspace, run.scratch(plan.workspace_bytes()));
    ASSIGN_OR_RETURN(Tensor y, run.output(DataType::kFloat32, out));
    if (p == Precision::kFp16) {
      ASSIGN_OR_RETURN(void* x16, run.scratch(static_cast<size_t>(x.num_elements()) * 2));
      ASSIGN_OR_RETURN(void* y16, run.scratch(static_cast<size_t>(y.num_elements()) * 2));
      RETURN_IF_ERROR(
          f32_to_f16(f32(x), static_cast<uint16_t*>(x16), x.num_elements(), run.stream()));
      const void* w16 = run.narrow_weight(w.raw_data());
      if (w16 == nullptr) {
        ASSIGN_OR_RETURN(void* conv, run.scratch(static_cast<size_t>(w.num_elements()) * 2));
        RETURN_IF_ERROR(
            f32_to_f16(f32(w), static_cast<uint16_t*>(conv), w.num_elements(), run.stream()));
        w16 = conv;
      }
      RETURN_IF_ERROR(plan.run(x16, w16, nullptr, y16, Activation::kNone, workspace, run.stream()));
      RETURN_IF_ERROR(
          f16_to_f32(static_cast<const uint16_t*>(y16), f32(y), y.num_elements(), run.stream()));
    } else {
      RETURN_IF_ERROR(plan.run(x.raw_data(), w.raw_data(), nullptr, y.mutable_raw_data(),
                               Activation::kNone, workspace, run.stream()));
    }
    if (bias != nullptr || z != nullptr || e_.act != Activation::kNone) {
      RETURN_IF_ERROR(fused_epilogue_f32(f32(y), bias ? f32(*bias) : nullptr, z ? f32(*z) : nullptr,
                                         f32(y), y.num_elements(), cs.k, cs.out_h() * cs.out_w(),
                                         e_, run.stream()));
    }
    return y;
  }

 private:
  cpu::WindowAttrs attrs_;
  int64_t group_;
  Epilogue e_;
};

Result<std::unique_ptr<exec::Kernel>> make_conv(const ir::Node& node, bool fused) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, fused ? 4 : 3));
  for (const char* blocked : {"blocked_input", "blocked_output", "blocked_residual"}) {
    if (node.attributes.has(blocked)) return unimplemented("blocked layouts are the CPU's");
  }
  ASSIGN_OR_RETURN(cpu::WindowAttrs attrs, cpu::parse_window_attrs(node, false));
  if (!attrs.kernel.empty() && attrs.kernel.size() != 2) {
    return unimplemented("convolution on the GPU is 2-D");
  }
  ASSIGN_OR_RETURN(int64_t group, node.attributes.get_int("group", 1));
  if (group < 1) return invalid_argument("group must be >= 1");
  Epilogue e;
  if (fused) {
    ASSIGN_OR_RETURN(cpu::Activation act, cpu::Activation::from_node(node));
    ASSIGN_OR_RETURN(e, epilogue_of(act));
  }
  return exec::make_kernel<ConvKernel>(std::move(attrs), group, e);
}
#endif

// ---------------------------------------------------------------------------------------------

using Factory = exec::KernelFactory;

Factory unary(const char* op, Activation act) {
  return [op, act](const ir::Node& node) -> Result<std::unique_ptr<exec::Kernel>> {
    RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
    Epilogue e;
    e.act = act;
    return exec::make_kernel<UnaryKernel>(op, e, false);
  };
}

Factory binary(const char* op, BinaryOp kind) {
  return [op, kind](const ir::Node& node) -> Result<std::unique_ptr<exec::Kernel>> {
    RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
    return exec::make_kernel<BinaryKernel>(op, kind);
  };
}

}  // namespace

bool broadcast_pattern(const Shape& big, const Shape& small, int64_t& period, int64_t& repeat) {
  if (small.size() > big.size()) return false;
  const size_t off = big.size() - small.size();
  int64_t lo = -1, hi = -1;
  for (size_t j = 0; j < small.size(); ++j) {
    const int64_t axis = static_cast<int64_t>(off + j);
    if (small[j] == 1 && big[off + j] == 1) {
      if (hi >= 0) hi = axis;  // a 1 on both sides neither breaks nor changes a run
      continue;
    }
    if (small[j] == 1) continue;
    if (small[j] != big[off + j]) return false;
    if (lo < 0) lo = axis;
    if (hi >= 0 && hi != axis - 1) return false;  // not one run
    hi = axis;
  }
  period = 1;
  repeat = 1;
  if (lo < 0) return true;  // a scalar (all 1s)
  for (int64_t j = lo; j <= hi; ++j) period *= big[static_cast<size_t>(j)];
  for (size_t j = static_cast<size_t>(hi) + 1; j < big.size(); ++j) repeat *= big[j];
  return true;
}

void register_ops(exec::KernelRegistry& r) {
  auto add = [&r](const char* domain, const char* op, int64_t since, int64_t until, Factory f,
                  uint64_t host_inputs = 0) {
    exec::KernelDef def{domain, op, since, until, std::move(f)};
    def.host_inputs = host_inputs;
    r.add(std::move(def));
  };
  const char* onnx = "";
  const char* ours = ir::kModelhostDomain;
  const int64_t max = exec::kMaxOpset;
  add(onnx, "Relu", 6, max, unary("Relu", Activation::kRelu));
  add(onnx, "Sigmoid", 6, max, unary("Sigmoid", Activation::kSigmoid));
  add(onnx, "Tanh", 6, max, unary("Tanh", Activation::kTanh));
  add(onnx, "HardSwish", 14, max, unary("HardSwish", Activation::kHardSwish));
  add(onnx, "Gelu", 20, max, [](const ir::Node& node) -> Result<std::unique_ptr<exec::Kernel>> {
    ASSIGN_OR_RETURN(std::string approximate, node.attributes.get_string("approximate", "none"));
    if (approximate != "none") return unimplemented("Gelu on the GPU is the exact (erf) form");
    return unary("Gelu", Activation::kGelu)(node);
  });
  add(onnx, "LeakyRelu", 6, max, [](const ir::Node& node) -> Result<std::unique_ptr<exec::Kernel>> {
    Epilogue e;
    e.act = Activation::kLeakyRelu;
    ASSIGN_OR_RETURN(e.alpha, node.attributes.get_float("alpha", 0.01f));
    return exec::make_kernel<UnaryKernel>("LeakyRelu", e, false);
  });
  add(onnx, "HardSigmoid", 6, max,
      [](const ir::Node& node) -> Result<std::unique_ptr<exec::Kernel>> {
        Epilogue e;
        e.act = Activation::kHardSigmoid;
        ASSIGN_OR_RETURN(e.alpha, node.attributes.get_float("alpha", 0.2f));
        ASSIGN_OR_RETURN(e.beta, node.attributes.get_float("beta", 0.5f));
        return exec::make_kernel<UnaryKernel>("HardSigmoid", e, false);
      });
  add(
      onnx, "Clip", 11, max,
      [](const ir::Node& node) -> Result<std::unique_ptr<exec::Kernel>> {
        RETURN_IF_ERROR(exec::check_arity(node, 1, 3));
        Epilogue e;
        e.act = Activation::kClip;
        return exec::make_kernel<UnaryKernel>("Clip", e, true);
      },
      kClipHostInputs);
  add(onnx, "Add", 7, max, binary("Add", BinaryOp::kAdd));
  add(onnx, "Sub", 7, max, binary("Sub", BinaryOp::kSub));
  add(onnx, "Mul", 7, max, binary("Mul", BinaryOp::kMul));
  add(onnx, "Div", 7, max, binary("Div", BinaryOp::kDiv));
  add(ours, "FusedMatMul", 1, 1, make_fused_matmul);
  add(onnx, "MatMul", 9, max, make_matmul);
  add(onnx, "Gemm", 9, max, make_gemm);
  add(ours, "FusedAttention", 1, 1, make_attention);
  add(onnx, "LayerNormalization", 17, max, make_layer_norm);
  add(onnx, "Softmax", 1, 12, make_softmax);
  add(onnx, "Softmax", 13, max, make_softmax);
  add(onnx, "Gather", 1, max, make_gather);
  add(onnx, "Cast", 6, max, make_cast);
  add(onnx, "Resize", 11, max, make_resize, kResizeHostInputs);
  add(
      onnx, "Slice", 10, max,
      [](const ir::Node& node) -> Result<std::unique_ptr<exec::Kernel>> {
        RETURN_IF_ERROR(exec::check_arity(node, 3, 5));
        return exec::make_kernel<SliceKernel>();
      },
      kSliceHostInputs);
  add(
      onnx, "Expand", 8, max,
      [](const ir::Node& node) -> Result<std::unique_ptr<exec::Kernel>> {
        RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
        return exec::make_kernel<ExpandKernel>();
      },
      kAxesHostInputs);
  add(onnx, "Transpose", 1, max, make_transpose);
  add(onnx, "Concat", 4, max, make_concat);
  add(onnx, "ReduceSum", 1, max, reduce("ReduceSum", ReduceKind::kSum, 13), kAxesHostInputs);
  add(onnx, "ReduceMean", 1, max, reduce("ReduceMean", ReduceKind::kMean, 18), kAxesHostInputs);
  add(onnx, "ReduceMax", 1, max, reduce("ReduceMax", ReduceKind::kMax, 18), kAxesHostInputs);
  add(onnx, "ReduceL2", 1, max, reduce("ReduceL2", ReduceKind::kL2, 18), kAxesHostInputs);
  add(onnx, "GlobalAveragePool", 1, max,
      [](const ir::Node& node) -> Result<std::unique_ptr<exec::Kernel>> {
        RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
        return exec::make_kernel<GlobalAveragePoolKernel>();
      });
  add(onnx, "MaxPool", 8, max, [](const ir::Node& n) { return make_pool(n, true); });
  add(onnx, "AveragePool", 7, max, [](const ir::Node& n) { return make_pool(n, false); });
#ifdef MODELHOST_HAVE_CUDNN
  add(onnx, "Conv", 1, max, [](const ir::Node& n) { return make_conv(n, false); });
  add(ours, "FusedConv", 1, 1, [](const ir::Node& n) { return make_conv(n, true); });
#endif
}

}  // namespace modelhost::engine::cuda
