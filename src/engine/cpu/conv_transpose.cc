// ConvTranspose (opset 7..21) through oneDNN's deconvolution: 1-D (run as 2-D), 2-D and 3-D,
// group, strides, dilations, pads, output_padding, output_shape and auto_pad (SAME_UPPER /
// SAME_LOWER / VALID), optional bias. float32.
//
// oneDNN computes the full, unpadded result ((in - 1) * stride + (k - 1) * dilation + 1 per
// dim); the ONNX output is the window of it starting at pads_begin, positions past its end
// (output_padding, a larger output_shape) receiving only the bias.
#include <oneapi/dnnl/dnnl.hpp>

#include "engine/cpu/dnnl_threads.h"
#include "engine/cpu/dnnl_util.h"
#include "engine/cpu/pool_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

struct DeconvPrim {
  dnnl::deconvolution_forward prim;
  dnnl::memory::desc src, weights, dst, scratch;
  int64_t full[3] = {1, 1, 1};  // unpadded result per lifted spatial dim
  int64_t out[3] = {1, 1, 1};
  int64_t pad_begin[3] = {0, 0, 0};
  Shape y_shape;
  int64_t n = 0, m = 0;
};

class ConvTransposeKernel final : public exec::Kernel {
 public:
  ConvTransposeKernel(WindowAttrs attrs, int64_t group, std::vector<int64_t> output_padding,
                      std::vector<int64_t> output_shape)
      : attrs_(std::move(attrs)),
        group_(group),
        output_padding_(std::move(output_padding)),
        output_shape_(std::move(output_shape)) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& w = *inputs[1];
    const Tensor* b = inputs.size() > 2 ? inputs[2] : nullptr;
    RETURN_IF_ERROR(exec::check_dtype(x, 0, "ConvTranspose", {DataType::kFloat32}));
    RETURN_IF_ERROR(exec::check_dtype(w, 1, "ConvTranspose", {DataType::kFloat32}));
    if (b) RETURN_IF_ERROR(exec::check_dtype(*b, 2, "ConvTranspose", {DataType::kFloat32}));
    Shape key = x.shape();
    key.insert(key.end(), w.shape().begin(), w.shape().end());
    ASSIGN_OR_RETURN(std::shared_ptr<const DeconvPrim> p,
                     cache_.get(key, [&] { return build(x.shape(), w.shape()); }));
    if (b && (b->rank() != 1 || b->shape()[0] != p->m)) {
      return invalid_argument("B must be [" + std::to_string(p->m) + "], got " +
                              shape_to_string(b->shape()));
    }
    RETURN_IF_ERROR(checked_num_elements(p->y_shape, sizeof(float)).status());
    Tensor y = Tensor::allocate(DataType::kFloat32, p->y_shape);
    if (y.num_elements() == 0) {
      outputs[0] = std::move(y);
      return Status::ok_status();
    }
    const int64_t full_plane = p->full[0] * p->full[1] * p->full[2];
    std::vector<float> full;
    if (x.num_elements() > 0 && w.num_elements() > 0) {
      full.resize(static_cast<size_t>(p->n * p->m * full_plane));
      try {
        dnnl::engine& eng = dnnl_cpu_engine();
        dnnl::stream stream(eng);
        std::vector<uint8_t> scratch(p->scratch.get_size());
        set_dnnl_threads(ctx);
        p->prim.execute(
            stream,
            {{DNNL_ARG_SRC, dnnl::memory(p->src, eng, const_cast<float*>(x.data<float>()))},
             {DNNL_ARG_WEIGHTS, dnnl::memory(p->weights, eng, const_cast<float*>(w.data<float>()))},
             {DNNL_ARG_DST, dnnl::memory(p->dst, eng, full.data())},
             {DNNL_ARG_SCRATCHPAD, dnnl::memory(p->scratch, eng, scratch.data())}});
        stream.wait();
      } catch (const dnnl::error& e) {
        return internal_error(std::string("oneDNN deconvolution: ") + e.what());
      }
    }
    // Crop / extend the full result into Y, adding the bias.
    float* out = y.mutable_data<float>();
    const float* bias = b ? b->data<float>() : nullptr;
    const int64_t out_plane = p->out[0] * p->out[1] * p->out[2];
    exec::parallel_for(ctx, p->n * p->m, 1, [&](int64_t q0, int64_t q1) {
      for (int64_t q = q0; q < q1; ++q) {
        const float bv = bias ? bias[q % p->m] : 0.0f;
        float* yo = out + q * out_plane;
        const float* fo = full.empty() ? nullptr : full.data() + q * full_plane;
        for (int64_t a = 0; a < p->out[0]; ++a) {
          const int64_t fa = a + p->pad_begin[0];
          for (int64_t c = 0; c < p->out[1]; ++c) {
            const int64_t fc = c + p->pad_begin[1];
            for (int64_t e = 0; e < p->out[2]; ++e) {
              const int64_t fe = e + p->pad_begin[2];
              float v = bv;
              if (fo && fa >= 0 && fa < p->full[0] && fc >= 0 && fc < p->full[1] && fe >= 0 &&
                  fe < p->full[2]) {
                v += fo[(fa * p->full[1] + fc) * p->full[2] + fe];
              }
              yo[(a * p->out[1] + c) * p->out[2] + e] = v;
            }
          }
        }
      }
    });
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  Result<std::shared_ptr<const DeconvPrim>> build(const Shape& xs, const Shape& ws) const {
    if (xs.size() < 3 || xs.size() > 5) {
      return invalid_argument("X must be [N, C, d1...] with 1 to 3 spatial dims, got " +
                              shape_to_string(xs));
    }
    if (ws.size() != xs.size()) {
      return invalid_argument("W " + shape_to_string(ws) + " does not match X " +
                              shape_to_string(xs));
    }
    const size_t nd = xs.size() - 2;
    const int64_t n = xs[0], c = xs[1];
    if (ws[0] != c || c % group_ != 0) {
      return invalid_argument("X " + shape_to_string(xs) + " and W " + shape_to_string(ws) +
                              " do not fit group = " + std::to_string(group_));
    }
    const int64_t m = ws[1] * group_;
    if ((!attrs_.kernel.empty() &&
         !std::equal(attrs_.kernel.begin(), attrs_.kernel.end(), ws.begin() + 2, ws.end())) ||
        (!attrs_.strides.empty() && attrs_.strides.size() != nd) ||
        (!attrs_.dilations.empty() && attrs_.dilations.size() != nd) ||
        (!attrs_.pads.empty() && attrs_.pads.size() != 2 * nd) ||
        (!output_padding_.empty() && output_padding_.size() != nd) ||
        (!output_shape_.empty() && output_shape_.size() != nd && output_shape_.size() != nd + 2)) {
      return invalid_argument(
          "kernel_shape, strides, dilations, pads, output_padding or "
          "output_shape do not match X " +
          shape_to_string(xs) + " and W " + shape_to_string(ws));
    }
    auto p = std::make_shared<DeconvPrim>();
    p->n = n;
    p->m = m;
    p->y_shape = {n, m};
    int64_t in[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, d[3] = {1, 1, 1};
    const size_t off = 3 - nd;
    for (size_t i = 0; i < nd; ++i) {
      const size_t j = off + i;
      in[j] = xs[2 + i];
      k[j] = ws[2 + i];
      s[j] = attrs_.strides.empty() ? 1 : attrs_.strides[i];
      d[j] = attrs_.dilations.empty() ? 1 : attrs_.dilations[i];
      const int64_t op = output_padding_.empty() ? 0 : output_padding_[i];
      const int64_t window = (k[j] - 1) * d[j] + 1;
      p->full[j] = s[j] * (in[j] - 1) + window;
      const int64_t given_out =
          output_shape_.empty() ? -1 : output_shape_[output_shape_.size() - nd + i];
      if (attrs_.auto_pad == AutoPad::kSameUpper || attrs_.auto_pad == AutoPad::kSameLower) {
        p->out[j] = given_out >= 0 ? given_out : in[j] * s[j];
        const int64_t total = p->full[j] + op - p->out[j];
        const int64_t half = total / 2;  // floor toward zero as in the spec for total >= 0
        p->pad_begin[j] = attrs_.auto_pad == AutoPad::kSameUpper ? half : total - half;
      } else {
        const int64_t pb = attrs_.pads.empty() ? 0 : attrs_.pads[i];
        const int64_t pe = attrs_.pads.empty() ? 0 : attrs_.pads[nd + i];
        p->pad_begin[j] = pb;
        p->out[j] = given_out >= 0 ? given_out : p->full[j] + op - pb - pe;
      }
      if (p->out[j] < 0) {
        return invalid_argument("ConvTranspose output would have a negative size");
      }
      p->y_shape.push_back(p->out[j]);
    }
    if (n == 0 || c == 0 || m == 0) return std::shared_ptr<const DeconvPrim>(p);
    const int first = nd == 3 ? 0 : 1;
    const int ns = 3 - first;
    dnnl::memory::dims src = {n, c}, dst = {n, m}, wd, strides, dil, pad0;
    if (group_ == 1) {
      wd = {m, c};
    } else {
      wd = {group_, m / group_, c / group_};
    }
    for (int i = first; i < 3; ++i) {
      src.push_back(in[i]);
      dst.push_back(p->full[i]);
      wd.push_back(k[i]);
      strides.push_back(s[i]);
      dil.push_back(d[i] - 1);
      pad0.push_back(0);
    }
    const tag data_tag = ns == 3 ? tag::ncdhw : tag::nchw;
    const tag w_tag =
        group_ == 1 ? (ns == 3 ? tag::iodhw : tag::iohw) : (ns == 3 ? tag::giodhw : tag::giohw);
    p->src = dnnl::memory::desc(src, dt::f32, data_tag);
    p->dst = dnnl::memory::desc(dst, dt::f32, data_tag);
    p->weights = dnnl::memory::desc(wd, dt::f32, w_tag);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    dnnl::deconvolution_forward::desc desc(dnnl::prop_kind::forward_inference,
                                           dnnl::algorithm::deconvolution_direct, p->src,
                                           p->weights, p->dst, strides, dil, pad0, pad0);
    dnnl::deconvolution_forward::primitive_desc pd(desc, attr, dnnl_cpu_engine());
    p->scratch = pd.scratchpad_desc();
    p->prim = dnnl::deconvolution_forward(pd);
    return std::shared_ptr<const DeconvPrim>(p);
  }

  WindowAttrs attrs_;
  int64_t group_;
  std::vector<int64_t> output_padding_;
  std::vector<int64_t> output_shape_;
  DnnlCache<DeconvPrim> cache_;
};

Result<std::unique_ptr<exec::Kernel>> make_conv_transpose(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 3));
  RETURN_IF_ERROR(
      exec::check_attributes(node, {"auto_pad", "dilations", "group", "kernel_shape",
                                    "output_padding", "output_shape", "pads", "strides"}));
  ASSIGN_OR_RETURN(WindowAttrs attrs, parse_window_attrs(node, /*kernel_required=*/false));
  ASSIGN_OR_RETURN(int64_t group, node.attributes.get_int("group", 1));
  ASSIGN_OR_RETURN(std::vector<int64_t> output_padding,
                   node.attributes.get_ints("output_padding", {}));
  ASSIGN_OR_RETURN(std::vector<int64_t> output_shape, node.attributes.get_ints("output_shape", {}));
  if (group < 1) return invalid_argument("group must be >= 1");
  for (size_t i = 0; i < output_padding.size(); ++i) {
    if (output_padding[i] < 0) return invalid_argument("output_padding must be >= 0");
    if (!attrs.strides.empty() && i < attrs.strides.size() &&
        output_padding[i] >=
            std::max(attrs.strides[i], attrs.dilations.empty() ? 1 : attrs.dilations[i])) {
      return invalid_argument("output_padding must be smaller than the stride or the dilation");
    }
  }
  return exec::make_kernel<ConvTransposeKernel>(std::move(attrs), group, std::move(output_padding),
                                                std::move(output_shape));
}

MH_REGISTER_CPU_KERNEL(ConvTranspose, 7, exec::kMaxOpset, make_conv_transpose);

}  // namespace
}  // namespace modelhost::engine::cpu
