// The activations that graph passes fuse into the op before them (FusedConv, FusedMatMul): how
// they are named on a fused node and how they are applied to a float32 buffer in place.
//
// A fused node carries `activation` (the ONNX op type: "Relu", "LeakyRelu", "Clip", "Sigmoid",
// "Tanh", "HardSigmoid", "HardSwish", "Gelu", or "Swish" for x * Sigmoid(x)) and, where the op
// has parameters, `activation_params` (LeakyRelu: alpha; Clip: min, max; HardSigmoid: alpha,
// beta). Each formula is the one of the op's own kernel, so fusing does not change results.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/cpu/elementwise.h"
#include "engine/cpu/vec_math.h"
#include "engine/exec/kernel.h"
#include "engine/ir/graph.h"

namespace modelhost::engine::cpu {

struct Activation {
  enum class Kind {
    kNone,
    kRelu,
    kLeakyRelu,
    kClip,
    kSigmoid,
    kTanh,
    kHardSigmoid,
    kHardSwish,
    kGelu,
    kSwish
  };
  Kind kind = Kind::kNone;
  float alpha = 0.f, beta = 0.f;

  // Reads `activation` / `activation_params` of a fused node; an error names a bad value.
  static Result<Activation> from_node(const ir::Node& node) {
    Activation a;
    ASSIGN_OR_RETURN(const std::string name, node.attributes.get_string("activation", ""));
    ASSIGN_OR_RETURN(const std::vector<float> params,
                     node.attributes.get_floats("activation_params", {}));
    auto want = [&](size_t n) -> Status {
      if (params.size() == n) return Status::ok_status();
      return invalid_argument("activation " + name + " takes " + std::to_string(n) +
                              " activation_params, got " + std::to_string(params.size()));
    };
    if (name.empty()) {
      RETURN_IF_ERROR(want(0));
    } else if (name == "Relu") {
      a.kind = Kind::kRelu;
      RETURN_IF_ERROR(want(0));
    } else if (name == "LeakyRelu") {
      a.kind = Kind::kLeakyRelu;
      RETURN_IF_ERROR(want(1));
      a.alpha = params[0];
    } else if (name == "Clip") {
      a.kind = Kind::kClip;
      RETURN_IF_ERROR(want(2));
      a.alpha = params[0];
      a.beta = params[1];
    } else if (name == "Sigmoid") {
      a.kind = Kind::kSigmoid;
      RETURN_IF_ERROR(want(0));
    } else if (name == "Tanh") {
      a.kind = Kind::kTanh;
      RETURN_IF_ERROR(want(0));
    } else if (name == "HardSigmoid") {
      a.kind = Kind::kHardSigmoid;
      RETURN_IF_ERROR(want(2));
      a.alpha = params[0];
      a.beta = params[1];
    } else if (name == "HardSwish") {
      a.kind = Kind::kHardSwish;
      RETURN_IF_ERROR(want(0));
    } else if (name == "Gelu") {
      a.kind = Kind::kGelu;
      RETURN_IF_ERROR(want(0));
    } else if (name == "Swish") {
      a.kind = Kind::kSwish;
      RETURN_IF_ERROR(want(0));
    } else {
      return invalid_argument("unknown activation \"" + name + "\"");
    }
    return a;
  }

  // y[i] = f(y[i]) for i in [0, n).
  void apply(float* y, int64_t n) const {
    switch (kind) {
      case Kind::kNone:
        return;
      case Kind::kRelu:
        for (int64_t i = 0; i < n; ++i) y[i] = y[i] < 0.f ? 0.f : y[i];
        return;
      case Kind::kLeakyRelu:
        for (int64_t i = 0; i < n; ++i) y[i] = y[i] < 0.f ? alpha * y[i] : y[i];
        return;
      case Kind::kClip:
        for (int64_t i = 0; i < n; ++i) y[i] = std::min(std::max(y[i], alpha), beta);
        return;
      case Kind::kSigmoid:
        sigmoid_inplace(y, n);
        return;
      case Kind::kTanh:
        for (int64_t i = 0; i < n; ++i) y[i] = std::tanh(y[i]);
        return;
      case Kind::kHardSigmoid:
        for (int64_t i = 0; i < n; ++i) y[i] = std::max(0.f, std::min(1.f, alpha * y[i] + beta));
        return;
      case Kind::kHardSwish:
        for (int64_t i = 0; i < n; ++i) {
          y[i] = y[i] * std::max(0.f, std::min(1.f, y[i] / 6.f + 0.5f));
        }
        return;
      case Kind::kGelu:
        gelu_inplace(y, n);
        return;
      case Kind::kSwish:
        swish_inplace(y, n);
        return;
    }
  }

  // Applies over the intra-op pool in chunks.
  void apply(float* y, int64_t n, const exec::KernelContext& ctx) const {
    if (kind == Kind::kNone) return;
    exec::parallel_for(ctx, n, 16384, [&](int64_t i0, int64_t i1) { apply(y + i0, i1 - i0); });
  }
};

// A float32 op computed by a vec_math function that works in place: over x's buffer when the
// executor donated it (see output_over), else each chunk is copied into the output first.
inline Tensor map_float_inplace(const exec::KernelContext& ctx, const Tensor& x,
                                const Tensor& donated, void (*f)(float*, int64_t)) {
  Tensor y = output_over(donated, x, DataType::kFloat32, x.shape());
  const float* px = x.data<float>();
  float* py = y.mutable_data<float>();
  exec::parallel_for(ctx, x.num_elements(), 16384, [&](int64_t i0, int64_t i1) {
    if (py != px) std::copy(px + i0, px + i1, py + i0);
    f(py + i0, i1 - i0);
  });
  return y;
}

}  // namespace modelhost::engine::cpu
