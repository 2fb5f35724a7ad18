// Conv (opset 7..21) through oneDNN: 1-D (run as 2-D with H = 1), 2-D and 3-D, group (incl.
// depthwise), strides, dilations, explicit pads or auto_pad SAME_UPPER / SAME_LOWER / VALID,
// optional bias. float32, plain NC[D]HW layouts.
//
// FusedConv (domain com.modelhost, made by opt/conv_activation_fusion) is the same kernel with
// Conv's attributes plus an activation (cpu/activation.h) and an optional fourth input Z:
// Y = act(Conv(X, W, B) + Z). When Z has Y's shape both run as oneDNN post-ops (Z is copied into
// Y and the convolution accumulates onto it); otherwise the sum is a broadcast after the
// convolution.
#include <algorithm>
#include <cstring>
#include <oneapi/dnnl/dnnl.hpp>

#include "engine/cpu/activation.h"
#include "engine/cpu/dnnl_threads.h"
#include "engine/cpu/dnnl_util.h"
#include "engine/cpu/elementwise.h"
#include "engine/cpu/pool_util.h"
#include "engine/cpu/weight_cache.h"
#include "engine/exec/kernel_registry.h"
#include "engine/ir/tensor_alloc.h"

namespace modelhost::engine::cpu {
namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

struct ConvPrim {
  dnnl::convolution_forward prim;
  dnnl::memory::desc src, weights, bias, dst, scratch;
  Shape y_shape;
  // Blocked mode: the convolution runs on oneDNN's own layouts (nChw8c activations, weights
  // packed once), with the activations reordered in and out around it.
  bool blocked = false;
  dnnl::memory::desc src_plain, dst_plain, w_plain;
  dnnl::reorder src_in, dst_out, z_in, w_pack;
  // The layouts X, Y and Z have as tensors: plain, or nChw8c when chained (see ChainFlags).
  dnnl::memory::desc src_given, dst_given, z_given;
  // No reorder on that side: the primitive uses the tensor's own buffer and layout.
  bool src_direct = true, dst_direct = true, z_direct = true;
  WeightCache<std::vector<uint8_t>> packed;  // W in `weights`' layout
  bool sum_in_primitive = false;             // Z is copied into Y and accumulated onto by oneDNN
  bool act_in_primitive = true;              // the activation is an eltwise post-op
};

// The oneDNN eltwise post-op for an activation, for the piecewise-linear ones only. oneDNN's
// transcendental post-ops (logistic, swish, tanh, gelu) cost up to five times the convolution
// itself on AVX2 (a 1x1 conv 16->96 at 112x112: 0.26 ms alone, 1.34 ms with swish), and even
// hardswish adds 60%; those run as a vectorized pass of our own (Activation::apply) after it.
bool dnnl_eltwise(const Activation& act, dnnl::algorithm& alg, float& alpha, float& beta) {
  using K = Activation::Kind;
  alpha = 0.f;
  beta = 0.f;
  switch (act.kind) {
    case K::kRelu:
      alg = dnnl::algorithm::eltwise_relu;
      return true;
    case K::kLeakyRelu:
      alg = dnnl::algorithm::eltwise_relu;
      alpha = act.alpha;
      return true;
    case K::kClip:
      alg = dnnl::algorithm::eltwise_clip;
      alpha = act.alpha;
      beta = act.beta;
      return true;
    default:
      return false;
  }
}

// Which of a FusedConv's tensors are in oneDNN's nChw8c layout instead of NCHW (set by
// opt/conv_layout on chains of FusedConvs, so that nothing is reordered between them; such a
// tensor keeps its logical NCHW shape, which has the same size since channels are a multiple of
// 8, and is only ever read by another chained FusedConv).
struct ChainFlags {
  bool in = false;   // X
  bool out = false;  // Y
  bool z = false;    // the residual Z
};

class ConvKernel final : public exec::Kernel {
 public:
  ConvKernel(WindowAttrs attrs, int64_t group, Activation act, bool constant_weights,
             ChainFlags chain)
      : attrs_(std::move(attrs)),
        group_(group),
        act_(act),
        constant_weights_(constant_weights),
        chain_(chain) {}

  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    static constexpr DataType kFloat32[] = {DataType::kFloat32};
    if (inputs.size() > 3) RETURN_IF_ERROR(exec::check_dtype(inputs[3], 3, "FusedConv", kFloat32));
    return exec::float32_only(inputs.first(std::min<size_t>(inputs.size(), 3)), outputs, "Conv");
  }

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& w = *inputs[1];
    const Tensor* b = inputs.size() > 2 ? inputs[2] : nullptr;
    const Tensor* z = inputs.size() > 3 ? inputs[3] : nullptr;
    RETURN_IF_ERROR(exec::check_dtype(x, 0, "Conv", {DataType::kFloat32}));
    if (z) RETURN_IF_ERROR(exec::check_dtype(*z, 3, "FusedConv", {DataType::kFloat32}));
    RETURN_IF_ERROR(exec::check_dtype(w, 1, "Conv", {DataType::kFloat32}));
    if (b) RETURN_IF_ERROR(exec::check_dtype(*b, 2, "Conv", {DataType::kFloat32}));
    Shape key = x.shape();
    key.insert(key.end(), w.shape().begin(), w.shape().end());
    key.push_back(b ? 1 : 0);
    const Shape* z_shape = z ? &z->shape() : nullptr;
    if (z) {  // whether Z's sum can be a post-op depends on its shape
      key.push_back(-1);
      key.insert(key.end(), z->shape().begin(), z->shape().end());
    }
    ASSIGN_OR_RETURN(std::shared_ptr<const ConvPrim> entry,
                     cache_.get(key, [&] { return build(x.shape(), w.shape(), b, z_shape); }));
    const ConvPrim* p = entry.get();
    RETURN_IF_ERROR(checked_num_elements(p->y_shape, sizeof(float)).status());
    // Every element is written: by the primitive, or by the reorder out of its blocked output.
    Tensor y = allocate_uninitialized(DataType::kFloat32, p->y_shape);
    if (y.num_elements() == 0) {
      outputs[0] = std::move(y);
      return Status::ok_status();
    }
    if (z != nullptr && !p->sum_in_primitive && (chain_.out || chain_.z)) {
      return invalid_argument("residual " + shape_to_string(z->shape()) +
                              " does not have the output's shape " + shape_to_string(y.shape()) +
                              ", which a blocked-layout FusedConv needs");
    }
    if (p->sum_in_primitive && !p->blocked) {
      std::copy(z->data<float>(), z->data<float>() + z->num_elements(), y.mutable_data<float>());
    }
    try {
      dnnl::engine& eng = dnnl_cpu_engine();
      dnnl::stream stream(eng);
      set_dnnl_threads(ctx);
      // Scratch buffers come from the run's arena like any tensor.
      auto buffer = [](size_t bytes) {
        return allocate_uninitialized(DataType::kUInt8,
                                      {static_cast<int64_t>(std::max<size_t>(bytes, 1))});
      };
      Tensor scratch = buffer(p->scratch.get_size());
      dnnl::memory x_given(p->src_given, eng, const_cast<float*>(x.data<float>()));
      dnnl::memory y_given(p->dst_given, eng, y.mutable_data<float>());
      dnnl::memory src = x_given, dst = y_given, weights;
      Tensor src_buf, dst_buf;
      std::shared_ptr<const std::vector<uint8_t>> packed;
      if (p->blocked) {
        if (!p->src_direct) {
          src_buf = buffer(p->src.get_size());
          src = dnnl::memory(p->src, eng, src_buf.mutable_raw_data());
          p->src_in.execute(stream, x_given, src);
        }
        if (!p->dst_direct) {
          dst_buf = buffer(p->dst.get_size());
          dst = dnnl::memory(p->dst, eng, dst_buf.mutable_raw_data());
        }
        if (p->sum_in_primitive) {
          if (p->z_direct) {
            std::memcpy(dst.get_data_handle(), z->raw_data(), z->byte_size());
          } else {
            dnnl::memory z_given(p->z_given, eng, const_cast<float*>(z->data<float>()));
            p->z_in.execute(stream, z_given, dst);
          }
        }
        packed = packed_weights(*p, w, stream);
        weights = dnnl::memory(p->weights, eng, const_cast<uint8_t*>(packed->data()));
      } else {
        weights = dnnl::memory(p->weights, eng, const_cast<float*>(w.data<float>()));
      }
      std::unordered_map<int, dnnl::memory> args = {
          {DNNL_ARG_SRC, src},
          {DNNL_ARG_WEIGHTS, weights},
          {DNNL_ARG_DST, dst},
          {DNNL_ARG_SCRATCHPAD, dnnl::memory(p->scratch, eng, scratch.mutable_raw_data())}};
      if (b) {
        args.emplace(DNNL_ARG_BIAS,
                     dnnl::memory(p->bias, eng, const_cast<float*>(b->data<float>())));
      }
      p->prim.execute(stream, args);
      if (p->blocked && !p->dst_direct) p->dst_out.execute(stream, dst, y_given);
      stream.wait();
    } catch (const dnnl::error& e) {
      return internal_error(std::string("oneDNN convolution: ") + e.what());
    }
    if (z != nullptr && !p->sum_in_primitive) {
      ASSIGN_OR_RETURN(Shape out_shape, broadcast_shape(y.shape(), z->shape()));
      Tensor sum = Tensor::allocate(DataType::kFloat32, out_shape);
      broadcast_apply(
          plan_broadcast(y.shape(), z->shape(), out_shape), y.data<float>(), z->data<float>(),
          sum.mutable_data<float>(), [](float u, float v) { return u + v; }, ctx);
      y = std::move(sum);
    }
    if (!p->act_in_primitive) {
      // On the OpenMP team that just ran the primitive (see omp_parallel_for).
      float* py = y.mutable_data<float>();
      omp_parallel_for(ctx, y.num_elements(), 16384,
                       [&](int64_t i0, int64_t i1) { act_.apply(py + i0, i1 - i0); });
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  // W in the primitive's layout, reordered on first use and kept while W stays the same weight.
  std::shared_ptr<const std::vector<uint8_t>> packed_weights(const ConvPrim& p, const Tensor& w,
                                                             dnnl::stream& stream) const {
    return p.packed.get(w, constant_weights_, [&] {
      std::vector<uint8_t> buf(p.weights.get_size());
      dnnl::engine& eng = dnnl_cpu_engine();
      dnnl::memory from(p.w_plain, eng, const_cast<void*>(w.raw_data()));
      dnnl::memory to(p.weights, eng, buf.data());
      p.w_pack.execute(stream, from, to);
      stream.wait();
      return buf;
    });
  }

  Result<std::shared_ptr<const ConvPrim>> build(const Shape& xs, const Shape& ws, const Tensor* b,
                                                const Shape* zs) const {
    if (xs.size() < 3 || xs.size() > 5) {
      return invalid_argument("X must be [N, C, d1...] with 1 to 3 spatial dims, got " +
                              shape_to_string(xs));
    }
    if (ws.size() != xs.size()) {
      return invalid_argument("W " + shape_to_string(ws) + " does not match X " +
                              shape_to_string(xs));
    }
    const int64_t n = xs[0], c = xs[1], m = ws[0];
    if (c % group_ != 0 || m % group_ != 0 || ws[1] * group_ != c) {
      return invalid_argument("X " + shape_to_string(xs) + " and W " + shape_to_string(ws) +
                              " do not fit group = " + std::to_string(group_));
    }
    if (b && (b->rank() != 1 || b->shape()[0] != m)) {
      return invalid_argument("B must be [" + std::to_string(m) + "], got " +
                              shape_to_string(b->shape()));
    }
    const std::span<const int64_t> spatial(xs.data() + 2, xs.size() - 2);
    const std::span<const int64_t> kernel(ws.data() + 2, ws.size() - 2);
    if (!attrs_.kernel.empty() &&
        !std::equal(attrs_.kernel.begin(), attrs_.kernel.end(), kernel.begin(), kernel.end())) {
      return invalid_argument("kernel_shape does not match W " + shape_to_string(ws));
    }
    ASSIGN_OR_RETURN(Geometry3 g, resolve_geometry(attrs_, spatial, kernel));
    auto p = std::make_shared<ConvPrim>();
    p->y_shape = {n, m};
    for (int64_t d : g.out_dims()) p->y_shape.push_back(d);
    const int first = g.nd == 3 ? 0 : 1;  // 1-D runs as 2-D
    const int ns = 3 - first;
    dnnl::memory::dims src = {n, c}, dst = {n, m}, wd, strides, dil, pl, pr;
    if (group_ == 1) {
      wd = {m, c};
    } else {
      wd = {group_, m / group_, c / group_};
    }
    for (int i = first; i < 3; ++i) {
      src.push_back(g.in[i]);
      dst.push_back(g.out[i]);
      wd.push_back(g.kernel[i]);
      strides.push_back(g.stride[i]);
      dil.push_back(g.dilation[i] - 1);
      pl.push_back(g.pad_begin[i]);
      // oneDNN wants the padding that lands exactly on the output size.
      pr.push_back((g.out[i] - 1) * g.stride[i] + (g.kernel[i] - 1) * g.dilation[i] + 1 - g.in[i] -
                   g.pad_begin[i]);
    }
    const tag data_tag = ns == 3 ? tag::ncdhw : tag::nchw;
    const tag w_tag =
        group_ == 1 ? (ns == 3 ? tag::oidhw : tag::oihw) : (ns == 3 ? tag::goidhw : tag::goihw);
    for (int64_t d : p->y_shape) {
      if (d == 0) return std::shared_ptr<const ConvPrim>(p);
    }
    p->src_plain = dnnl::memory::desc(src, dt::f32, data_tag);
    p->dst_plain = dnnl::memory::desc(dst, dt::f32, data_tag);
    p->w_plain = dnnl::memory::desc(wd, dt::f32, w_tag);
    // oneDNN's direct, 1x1 and depthwise kernels want blocked layouts; on plain ones it falls
    // back to im2col + GEMM with the post-ops as separate passes, several times slower. The
    // blocked route needs W packed once, so only weights that are constants take it.
    p->blocked = constant_weights_;
    const tag any = tag::any;
    const tag chain_tag = ns == 3 ? tag::nCdhw8c : tag::nChw8c;
    p->src_given = chain_.in ? dnnl::memory::desc(src, dt::f32, chain_tag) : p->src_plain;
    p->dst_given = chain_.out ? dnnl::memory::desc(dst, dt::f32, chain_tag) : p->dst_plain;
    p->z_given = chain_.z ? dnnl::memory::desc(dst, dt::f32, chain_tag) : p->dst_plain;
    p->src = chain_.in ? p->src_given
                       : (p->blocked ? dnnl::memory::desc(src, dt::f32, any) : p->src_plain);
    p->dst = chain_.out ? p->dst_given
                        : (p->blocked ? dnnl::memory::desc(dst, dt::f32, any) : p->dst_plain);
    p->weights = p->blocked ? dnnl::memory::desc(wd, dt::f32, any) : p->w_plain;
    p->bias = dnnl::memory::desc({m}, dt::f32, tag::a);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    // Post-ops: the sum of Z (when it has Y's shape), then the activation. With a Z that needs a
    // broadcast both wait until after the convolution, to keep the order of the two.
    dnnl::post_ops ops;
    p->sum_in_primitive = zs != nullptr && *zs == p->y_shape;
    if (p->sum_in_primitive) ops.append_sum(1.f);
    dnnl::algorithm alg;
    float alpha = 0.f, beta = 0.f;
    p->act_in_primitive =
        act_.kind == Activation::Kind::kNone ||
        ((zs == nullptr || p->sum_in_primitive) && dnnl_eltwise(act_, alg, alpha, beta));
    if (p->act_in_primitive && act_.kind != Activation::Kind::kNone) {
      ops.append_eltwise(1.f, alg, alpha, beta);
    }
    attr.set_post_ops(ops);
    if ((chain_.in && c % 8 != 0) || ((chain_.out || chain_.z) && m % 8 != 0)) {
      return invalid_argument(
          "a blocked-layout FusedConv needs channel counts that are multiples of 8");
    }
    auto desc = b ? dnnl::convolution_forward::desc(
                        dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                        p->src, p->weights, p->bias, p->dst, strides, dil, pl, pr)
                  : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                    dnnl::algorithm::convolution_direct, p->src,
                                                    p->weights, p->dst, strides, dil, pl, pr);
    dnnl::convolution_forward::primitive_desc pd(desc, attr, dnnl_cpu_engine());
    p->scratch = pd.scratchpad_desc();
    p->prim = dnnl::convolution_forward(pd);
    if (p->blocked) {
      dnnl::engine& eng = dnnl_cpu_engine();
      p->src = pd.src_desc();
      p->dst = pd.dst_desc();
      p->weights = pd.weights_desc();
      // oneDNN keeps a plain layout where it prefers one (the 3-channel first layer's source),
      // and chained sides already have the layout the primitive was created with.
      p->src_direct = p->src == p->src_given;
      p->dst_direct = p->dst == p->dst_given;
      p->z_direct = p->dst == p->z_given;
      if (!p->src_direct) {
        p->src_in = dnnl::reorder(dnnl::reorder::primitive_desc(eng, p->src_given, eng, p->src));
      }
      if (!p->dst_direct) {
        p->dst_out = dnnl::reorder(dnnl::reorder::primitive_desc(eng, p->dst, eng, p->dst_given));
      }
      if (!p->z_direct) {
        p->z_in = dnnl::reorder(dnnl::reorder::primitive_desc(eng, p->z_given, eng, p->dst));
      }
      p->w_pack = dnnl::reorder(dnnl::reorder::primitive_desc(eng, p->w_plain, eng, p->weights));
    }
    return std::shared_ptr<const ConvPrim>(p);
  }

  WindowAttrs attrs_;
  int64_t group_;
  Activation act_;
  bool constant_weights_;  // FusedConv: W is a model weight, so its packed copy can be kept
  ChainFlags chain_;
  DnnlCache<ConvPrim> cache_;
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node, bool fused) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, fused ? 4 : 3));
  if (fused) {
    RETURN_IF_ERROR(exec::check_attributes(
        node, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides", "activation",
               "activation_params", "blocked_input", "blocked_output", "blocked_residual"}));
  } else {
    RETURN_IF_ERROR(exec::check_attributes(
        node, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}));
  }
  ASSIGN_OR_RETURN(WindowAttrs attrs, parse_window_attrs(node, /*kernel_required=*/false));
  ASSIGN_OR_RETURN(int64_t group, node.attributes.get_int("group", 1));
  if (group < 1) return invalid_argument("group must be >= 1");
  Activation act;
  ChainFlags chain;
  if (fused) {
    ASSIGN_OR_RETURN(act, Activation::from_node(node));
    ASSIGN_OR_RETURN(int64_t in, node.attributes.get_int("blocked_input", 0));
    ASSIGN_OR_RETURN(int64_t out, node.attributes.get_int("blocked_output", 0));
    ASSIGN_OR_RETURN(int64_t z, node.attributes.get_int("blocked_residual", 0));
    chain = ChainFlags{in != 0, out != 0, z != 0};
  }
  return exec::make_kernel<ConvKernel>(std::move(attrs), group, act, fused, chain);
}

Result<std::unique_ptr<exec::Kernel>> make_conv(const ir::Node& node) { return make(node, false); }
Result<std::unique_ptr<exec::Kernel>> make_fused(const ir::Node& node) { return make(node, true); }

MH_REGISTER_CPU_KERNEL(Conv, 7, exec::kMaxOpset, make_conv);
MH_REGISTER_CPU_DOMAIN_KERNEL(ir::kModelhostDomain, FusedConv, 1, 1, make_fused);

}  // namespace
}  // namespace modelhost::engine::cpu
