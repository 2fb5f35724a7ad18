// FusedAttention (domain com.modelhost, made by opt/attention_fusion): the scaled dot-product
// attention of a transformer layer, read straight from the heads' projections.
//   Q, K, V: [B, S_q|S_kv, H, D] (the Reshape of each projection, before any Transpose)
//   mask:    optional, broadcastable to [B, H, S_q, S_kv] (the additive attention mask)
//   Y:       [B, S_q, H, D] = for each b, h: softmax(Q_bh K_bh^T * scale + mask_bh) V_bh
// The heads are strided views of Q, K and V (row stride H * D), so no transpose is ever
// materialized: each (b, h) pair is two GEMMs with leading dimensions and a row softmax on a
// small score buffer, and pairs run in parallel over the intra-op pool. With AVX2 / FMA the
// GEMMs are sgemm_packed's register-tiled kernel on K^T and V packed per head (a copy of
// S x D floats each, against 2 S^2 D FLOPs); elsewhere gemm_strided. float32.
#include <cmath>
#include <vector>

#include "engine/cpu/gemm_core.h"
#include "engine/cpu/sgemm_packed.h"
#include "engine/cpu/vec_math.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class FusedAttentionKernel final : public exec::Kernel {
 public:
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    return exec::float32_only(inputs, outputs, "FusedAttention");
  }
  explicit FusedAttentionKernel(float scale) : scale_(scale) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& q = *inputs[0];
    const Tensor& k = *inputs[1];
    const Tensor& v = *inputs[2];
    const Tensor* mask = inputs.size() > 3 ? inputs[3] : nullptr;
    for (size_t i = 0; i < 3; ++i) {
      RETURN_IF_ERROR(exec::check_dtype(*inputs[i], i, "FusedAttention", {DataType::kFloat32}));
      if (inputs[i]->rank() != 4) {
        return invalid_argument("FusedAttention input " + std::to_string(i) +
                                " must be [B, S, H, D], got " +
                                shape_to_string(inputs[i]->shape()));
      }
    }
    const int64_t b = q.shape()[0], sq = q.shape()[1], h = q.shape()[2], d = q.shape()[3];
    const int64_t skv = k.shape()[1];
    if (k.shape() != Shape{b, skv, h, d} || v.shape() != k.shape()) {
      return invalid_argument("FusedAttention: Q " + shape_to_string(q.shape()) + ", K " +
                              shape_to_string(k.shape()) + " and V " + shape_to_string(v.shape()) +
                              " do not agree");
    }
    // Mask strides over [B, H, S_q, S_kv], 0 where it broadcasts.
    int64_t ms[4] = {0, 0, 0, 0};
    if (mask != nullptr) {
      RETURN_IF_ERROR(exec::check_dtype(*mask, 3, "FusedAttention", {DataType::kFloat32}));
      const Shape full = {b, h, sq, skv};
      if (mask->rank() > 4) {
        return invalid_argument("mask " + shape_to_string(mask->shape()) + " has rank above 4");
      }
      int64_t stride = 1;
      for (int64_t i = 3, j = mask->rank() - 1; j >= 0; --i, --j) {
        const int64_t md = mask->shape()[static_cast<size_t>(j)];
        if (md != 1 && md != full[static_cast<size_t>(i)]) {
          return invalid_argument("mask " + shape_to_string(mask->shape()) +
                                  " does not broadcast to the scores " + shape_to_string(full));
        }
        ms[i] = md == 1 ? 0 : stride;
        stride *= md;
      }
    }
    Tensor y = Tensor::allocate(DataType::kFloat32, {b, sq, h, d});
    const float* pq = q.data<float>();
    const float* pk = k.data<float>();
    const float* pv = v.data<float>();
    const float* pm = mask != nullptr ? mask->data<float>() : nullptr;
    float* py = y.mutable_data<float>();
    const int64_t row = h * d;  // distance between consecutive positions of one head
    const exec::KernelContext inline_ctx;
    const int64_t kt_strips = (skv + kPackedStrip - 1) / kPackedStrip;
    const int64_t v_strips = (d + kPackedStrip - 1) / kPackedStrip;
    exec::parallel_for(ctx, b * h, 1, [&](int64_t p0, int64_t p1) {
      std::vector<float> scores(static_cast<size_t>(sq * skv));
      // K_h^T and V_h packed for sgemm_packed_strided (zero padding set once, never written).
      std::vector<float> kt(static_cast<size_t>(kt_strips * d * kPackedStrip));
      std::vector<float> vp(static_cast<size_t>(v_strips * skv * kPackedStrip));
      for (int64_t p = p0; p < p1; ++p) {
        const int64_t bi = p / h, hi = p % h;
        const float* qh = pq + bi * sq * row + hi * d;
        const float* kh = pk + bi * skv * row + hi * d;
        const float* vh = pv + bi * skv * row + hi * d;
        float* yh = py + bi * sq * row + hi * d;
        // scores = Q K^T, Q and K read with row stride `row`: B = K^T [d, skv], column j of B
        // is key j.
        for (int64_t j = 0; j < skv; ++j) {
          float* dst = kt.data() + (j / kPackedStrip) * d * kPackedStrip + j % kPackedStrip;
          for (int64_t c = 0; c < d; ++c) dst[c * kPackedStrip] = kh[j * row + c];
        }
        const bool packed =
            sgemm_packed_strided(sq, skv, d, qh, row, kt.data(), scores.data(), skv);
        if (!packed) {
          std::fill(scores.begin(), scores.end(), 0.f);
          gemm_strided(sq, skv, d, 1.f, qh, row, false, kh, row, true, scores.data(), skv,
                       inline_ctx);
        }
        for (int64_t i = 0; i < sq; ++i) {
          float* s = scores.data() + i * skv;
          for (int64_t j = 0; j < skv; ++j) s[j] *= scale_;
          if (pm != nullptr) {
            const float* mrow = pm + bi * ms[0] + hi * ms[1] + i * ms[2];
            for (int64_t j = 0; j < skv; ++j) s[j] += mrow[j * ms[3]];
          }
          float mx = -INFINITY;
          for (int64_t j = 0; j < skv; ++j) mx = std::max(mx, s[j]);
          const float inv = 1.f / exp_shifted_inplace(s, skv, mx);
          for (int64_t j = 0; j < skv; ++j) s[j] *= inv;
        }
        // Y_bh = P V, written into Y's strided rows (zero-filled by allocate for gemm_strided,
        // which accumulates; the packed kernel stores).
        if (packed) {
          for (int64_t j = 0; j < skv; ++j) {
            const float* src = vh + j * row;
            for (int64_t c = 0; c < d; ++c) {
              vp[static_cast<size_t>((c / kPackedStrip) * skv * kPackedStrip + j * kPackedStrip +
                                     c % kPackedStrip)] = src[c];
            }
          }
          sgemm_packed_strided(sq, d, skv, scores.data(), skv, vp.data(), yh, row);
        } else {
          gemm_strided(sq, d, skv, 1.f, scores.data(), skv, false, vh, row, false, yh, row,
                       inline_ctx);
        }
      }
    });
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  float scale_;
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 3, 4));
  RETURN_IF_ERROR(exec::check_attributes(node, {"scale"}));
  ASSIGN_OR_RETURN(float scale, node.attributes.get_float("scale", 1.f));
  return exec::make_kernel<FusedAttentionKernel>(scale);
}

MH_REGISTER_CPU_DOMAIN_KERNEL(ir::kModelhostDomain, FusedAttention, 1, 1, make);

}  // namespace
}  // namespace modelhost::engine::cpu
