// Conv (opset 7..21) through oneDNN: 1-D (run as 2-D with H = 1), 2-D and 3-D, group (incl.
// depthwise), strides, dilations, explicit pads or auto_pad SAME_UPPER / SAME_LOWER / VALID,
// optional bias. float32, plain NC[D]HW layouts.
#include <oneapi/dnnl/dnnl.hpp>

#include "engine/cpu/dnnl_util.h"
#include "engine/cpu/pool_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

struct ConvPrim {
  dnnl::convolution_forward prim;
  dnnl::memory::desc src, weights, bias, dst, scratch;
  Shape y_shape;
};

class ConvKernel final : public exec::Kernel {
 public:
  ConvKernel(WindowAttrs attrs, int64_t group) : attrs_(std::move(attrs)), group_(group) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& w = *inputs[1];
    const Tensor* b = inputs.size() > 2 ? inputs[2] : nullptr;
    RETURN_IF_ERROR(exec::check_dtype(x, 0, "Conv", {DataType::kFloat32}));
    RETURN_IF_ERROR(exec::check_dtype(w, 1, "Conv", {DataType::kFloat32}));
    if (b) RETURN_IF_ERROR(exec::check_dtype(*b, 2, "Conv", {DataType::kFloat32}));
    Shape key = x.shape();
    key.insert(key.end(), w.shape().begin(), w.shape().end());
    key.push_back(b ? 1 : 0);
    ASSIGN_OR_RETURN(std::shared_ptr<const ConvPrim> p,
                     cache_.get(key, [&] { return build(x.shape(), w.shape(), b); }));
    RETURN_IF_ERROR(checked_num_elements(p->y_shape, sizeof(float)).status());
    Tensor y = Tensor::allocate(DataType::kFloat32, p->y_shape);
    if (y.num_elements() == 0) {
      outputs[0] = std::move(y);
      return Status::ok_status();
    }
    try {
      dnnl::engine& eng = dnnl_cpu_engine();
      dnnl::stream stream(eng);
      std::vector<uint8_t> scratch(p->scratch.get_size());
      std::unordered_map<int, dnnl::memory> args = {
          {DNNL_ARG_SRC, dnnl::memory(p->src, eng, const_cast<float*>(x.data<float>()))},
          {DNNL_ARG_WEIGHTS, dnnl::memory(p->weights, eng, const_cast<float*>(w.data<float>()))},
          {DNNL_ARG_DST, dnnl::memory(p->dst, eng, y.mutable_data<float>())},
          {DNNL_ARG_SCRATCHPAD, dnnl::memory(p->scratch, eng, scratch.data())}};
      if (b) {
        args.emplace(DNNL_ARG_BIAS,
                     dnnl::memory(p->bias, eng, const_cast<float*>(b->data<float>())));
      }
      p->prim.execute(stream, args);
      stream.wait();
    } catch (const dnnl::error& e) {
      return internal_error(std::string("oneDNN convolution: ") + e.what());
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  Result<std::shared_ptr<const ConvPrim>> build(const Shape& xs, const Shape& ws,
                                                const Tensor* b) const {
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
    p->src = dnnl::memory::desc(src, dt::f32, data_tag);
    p->dst = dnnl::memory::desc(dst, dt::f32, data_tag);
    p->weights = dnnl::memory::desc(wd, dt::f32, w_tag);
    p->bias = dnnl::memory::desc({m}, dt::f32, tag::a);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    auto desc = b ? dnnl::convolution_forward::desc(
                        dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                        p->src, p->weights, p->bias, p->dst, strides, dil, pl, pr)
                  : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                    dnnl::algorithm::convolution_direct, p->src,
                                                    p->weights, p->dst, strides, dil, pl, pr);
    dnnl::convolution_forward::primitive_desc pd(desc, attr, dnnl_cpu_engine());
    p->scratch = pd.scratchpad_desc();
    p->prim = dnnl::convolution_forward(pd);
    return std::shared_ptr<const ConvPrim>(p);
  }

  WindowAttrs attrs_;
  int64_t group_;
  DnnlCache<ConvPrim> cache_;
};

Result<std::unique_ptr<exec::Kernel>> make_conv(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 3));
  RETURN_IF_ERROR(exec::check_attributes(
      node, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}));
  ASSIGN_OR_RETURN(WindowAttrs attrs, parse_window_attrs(node, /*kernel_required=*/false));
  ASSIGN_OR_RETURN(int64_t group, node.attributes.get_int("group", 1));
  if (group < 1) return invalid_argument("group must be >= 1");
  return exec::make_kernel<ConvKernel>(std::move(attrs), group);
}

MH_REGISTER_CPU_KERNEL(Conv, 7, exec::kMaxOpset, make_conv);

}  // namespace
}  // namespace modelhost::engine::cpu
