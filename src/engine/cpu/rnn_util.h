// What RNN, GRU and LSTM share: the `activations` / `activation_alpha` / `activation_beta`
// attributes, direction, layout, clip, the input checks, and the layout and per-batch sequence
// bookkeeping.
//
// Each op runs one direction at a time in time-major layout (layout 1 inputs are transposed on
// the way in, outputs on the way out). The input projection X * W^T (+ biases) for all time
// steps is one GEMM (gemm_core.h); each step then adds H_{t-1} * R^T with another. With
// sequence_lens, batch row b runs steps [0, len_b) (reverse: len_b - 1 down to 0), writes zeros
// to Y past its length, and Y_h / Y_c hold its last computed state.
#pragma once

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/ir/graph.h"

namespace modelhost::engine::cpu {

struct RnnActivation {
  enum class Kind {
    kRelu,
    kTanh,
    kSigmoid,
    kAffine,
    kLeakyRelu,
    kThresholdedRelu,
    kScaledTanh,
    kHardSigmoid,
    kElu,
    kSoftsign,
    kSoftplus,
  };
  Kind kind = Kind::kTanh;
  float alpha = 0.f, beta = 0.f;

  template <typename T>
  T operator()(T x) const {
    switch (kind) {
      case Kind::kRelu:
        return x > T(0) ? x : T(0);
      case Kind::kTanh:
        return std::tanh(x);
      case Kind::kSigmoid:
        return T(1) / (T(1) + std::exp(-x));
      case Kind::kAffine:
        return T(alpha) * x + T(beta);
      case Kind::kLeakyRelu:
        return x >= T(0) ? x : T(alpha) * x;
      case Kind::kThresholdedRelu:
        return x > T(alpha) ? x : T(0);
      case Kind::kScaledTanh:
        return T(alpha) * std::tanh(T(beta) * x);
      case Kind::kHardSigmoid:
        return std::clamp(T(alpha) * x + T(beta), T(0), T(1));
      case Kind::kElu:
        return x >= T(0) ? x : T(alpha) * (std::exp(x) - T(1));
      case Kind::kSoftsign:
        return x / (T(1) + std::fabs(x));
      case Kind::kSoftplus:
        return std::log1p(std::exp(x));
    }
    return x;
  }
};

enum class RnnDirection { kForward, kReverse, kBidirectional };

struct RnnAttributes {
  RnnDirection direction = RnnDirection::kForward;
  int64_t num_directions = 1;
  int64_t hidden_size = 0;
  int64_t layout = 0;
  float clip = 0.f;  // 0: no clipping
  // `per_direction` activations for the forward (or only) direction, then the reverse one.
  std::vector<RnnActivation> activations;
};

namespace rnn_detail {

struct ActivationSpec {
  const char* name;
  RnnActivation::Kind kind;
  bool has_alpha, has_beta;
  float alpha, beta;  // defaults: those of the ONNX op of the same name
};

inline const ActivationSpec* find_activation(const std::string& name) {
  static const ActivationSpec kSpecs[] = {
      {"relu", RnnActivation::Kind::kRelu, false, false, 0.f, 0.f},
      {"tanh", RnnActivation::Kind::kTanh, false, false, 0.f, 0.f},
      {"sigmoid", RnnActivation::Kind::kSigmoid, false, false, 0.f, 0.f},
      {"affine", RnnActivation::Kind::kAffine, true, true, 1.f, 0.f},
      {"leakyrelu", RnnActivation::Kind::kLeakyRelu, true, false, 0.01f, 0.f},
      {"thresholdedrelu", RnnActivation::Kind::kThresholdedRelu, true, false, 1.f, 0.f},
      {"scaledtanh", RnnActivation::Kind::kScaledTanh, true, true, 1.f, 1.f},
      {"hardsigmoid", RnnActivation::Kind::kHardSigmoid, true, true, 0.2f, 0.5f},
      {"elu", RnnActivation::Kind::kElu, true, false, 1.f, 0.f},
      {"softsign", RnnActivation::Kind::kSoftsign, false, false, 0.f, 0.f},
      {"softplus", RnnActivation::Kind::kSoftplus, false, false, 0.f, 0.f},
  };
  std::string lower;
  for (char c : name)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  for (const ActivationSpec& s : kSpecs) {
    if (lower == s.name) return &s;
  }
  return nullptr;
}

}  // namespace rnn_detail

// Reads direction, hidden_size, layout (opset 14+), clip and the activations (`defaults` per
// direction, e.g. {"Sigmoid", "Tanh", "Tanh"} for LSTM). Alphas and betas are consumed in order
// by the activations that take them; missing ones take the ONNX op's default.
inline Result<RnnAttributes> parse_rnn_attributes(const ir::Node& node,
                                                  const std::vector<std::string>& defaults) {
  RnnAttributes a;
  ASSIGN_OR_RETURN(std::string dir, node.attributes.get_string("direction", "forward"));
  if (dir == "forward") {
    a.direction = RnnDirection::kForward;
  } else if (dir == "reverse") {
    a.direction = RnnDirection::kReverse;
  } else if (dir == "bidirectional") {
    a.direction = RnnDirection::kBidirectional;
    a.num_directions = 2;
  } else {
    return invalid_argument("direction \"" + dir +
                            "\" is not one of forward, reverse, bidirectional");
  }
  ASSIGN_OR_RETURN(a.hidden_size, node.attributes.get_int("hidden_size", 0));
  if (!node.attributes.has("hidden_size") || a.hidden_size <= 0) {
    return invalid_argument("hidden_size must be set to a positive value");
  }
  ASSIGN_OR_RETURN(a.layout, node.attributes.get_int("layout", 0));
  if (a.layout != 0 && a.layout != 1) {
    return invalid_argument("layout must be 0 or 1, got " + std::to_string(a.layout));
  }
  ASSIGN_OR_RETURN(a.clip, node.attributes.get_float("clip", 0.f));
  if (node.attributes.has("clip") && !(a.clip > 0.f)) {
    return invalid_argument("clip must be positive, got " + std::to_string(a.clip));
  }
  std::vector<std::string> names;
  if (node.attributes.has("activations")) {
    const auto& v = node.attributes.all().at("activations");
    if (const auto* s = std::get_if<std::vector<std::string>>(&v)) {
      names = *s;
    } else {
      return invalid_argument("activations must be a list of strings");
    }
  }
  const size_t per_dir = defaults.size();
  const size_t want = per_dir * static_cast<size_t>(a.num_directions);
  if (names.empty()) {
    for (int64_t d = 0; d < a.num_directions; ++d) {
      names.insert(names.end(), defaults.begin(), defaults.end());
    }
  } else if (names.size() == per_dir && a.num_directions == 2) {
    // A common shorthand: one set for both directions.
    std::vector<std::string> twice = names;
    twice.insert(twice.end(), names.begin(), names.end());
    names = std::move(twice);
  } else if (names.size() != want) {
    return invalid_argument("activations has " + std::to_string(names.size()) +
                            " entries; expected " + std::to_string(want) + " (" +
                            std::to_string(per_dir) + " per direction)");
  }
  ASSIGN_OR_RETURN(std::vector<float> alphas, node.attributes.get_floats("activation_alpha", {}));
  ASSIGN_OR_RETURN(std::vector<float> betas, node.attributes.get_floats("activation_beta", {}));
  size_t ai = 0, bi = 0;
  for (const std::string& n : names) {
    const rnn_detail::ActivationSpec* spec = rnn_detail::find_activation(n);
    if (spec == nullptr) {
      return invalid_argument("activation \"" + n + "\" is not supported");
    }
    RnnActivation act;
    act.kind = spec->kind;
    act.alpha = spec->alpha;
    act.beta = spec->beta;
    if (spec->has_alpha && ai < alphas.size()) act.alpha = alphas[ai++];
    if (spec->has_beta && bi < betas.size()) act.beta = betas[bi++];
    a.activations.push_back(act);
  }
  return a;
}

// Sizes of one run, checked against W, R, B, sequence_lens, initial states.
struct RnnDims {
  int64_t seq = 0, batch = 0, input = 0, hidden = 0, dirs = 1;
};

// Checks X / W / R / B and the optional sequence_lens and initial state tensors of a run with
// `gates` gates (RNN 1, GRU 3, LSTM 4). Returns the dims and the per-batch lengths.
inline Result<RnnDims> check_rnn_inputs(const RnnAttributes& a, int64_t gates,
                                        std::span<const Tensor* const> in,
                                        std::vector<int64_t>* lengths, std::string_view op) {
  const Tensor& x = *in[0];
  const Tensor& w = *in[1];
  const Tensor& r = *in[2];
  RETURN_IF_ERROR(exec::check_dtype(x, 0, op, {DataType::kFloat32, DataType::kFloat64}));
  RETURN_IF_ERROR(exec::check_same_dtype(x, w));
  RETURN_IF_ERROR(exec::check_same_dtype(x, r));
  if (x.rank() != 3) {
    return invalid_argument("X must be 3-D, got " + shape_to_string(x.shape()));
  }
  RnnDims d;
  d.seq = x.shape()[a.layout == 0 ? 0 : 1];
  d.batch = x.shape()[a.layout == 0 ? 1 : 0];
  d.input = x.shape()[2];
  d.hidden = a.hidden_size;
  d.dirs = a.num_directions;
  const int64_t gh = gates * d.hidden;
  auto expect = [&](const Tensor& t, const Shape& want, const char* name) -> Status {
    if (t.shape() != want) {
      return invalid_argument(std::string(name) + " must be " + shape_to_string(want) + ", got " +
                              shape_to_string(t.shape()));
    }
    return exec::check_same_dtype(x, t);
  };
  RETURN_IF_ERROR(expect(w, {d.dirs, gh, d.input}, "W"));
  RETURN_IF_ERROR(expect(r, {d.dirs, gh, d.hidden}, "R"));
  if (in.size() > 3 && in[3]) RETURN_IF_ERROR(expect(*in[3], {d.dirs, 2 * gh}, "B"));
  lengths->assign(static_cast<size_t>(d.batch), d.seq);
  if (in.size() > 4 && in[4]) {
    ASSIGN_OR_RETURN(std::vector<int64_t> lens, read_int_tensor(*in[4], 4, op));
    if (static_cast<int64_t>(lens.size()) != d.batch) {
      return invalid_argument("sequence_lens must have " + std::to_string(d.batch) +
                              " values, got " + shape_to_string(in[4]->shape()));
    }
    for (int64_t v : lens) {
      if (v < 0 || v > d.seq) {
        return invalid_argument("sequence_lens value " + std::to_string(v) + " is outside [0, " +
                                std::to_string(d.seq) + "]");
      }
    }
    *lengths = std::move(lens);
  }
  const Shape state =
      a.layout == 0 ? Shape{d.dirs, d.batch, d.hidden} : Shape{d.batch, d.dirs, d.hidden};
  if (in.size() > 5 && in[5]) RETURN_IF_ERROR(expect(*in[5], state, "initial_h"));
  if (gates == 4) {
    if (in.size() > 6 && in[6]) RETURN_IF_ERROR(expect(*in[6], state, "initial_c"));
    if (in.size() > 7 && in[7]) RETURN_IF_ERROR(expect(*in[7], {d.dirs, 3 * d.hidden}, "P"));
  }
  return d;
}

// X in time-major order [seq, batch, input] (a copy; layout 1 transposed).
template <typename T>
std::vector<T> rnn_time_major_input(const Tensor& x, const RnnDims& d, int64_t layout) {
  const T* p = x.data<T>();
  if (layout == 0) return std::vector<T>(p, p + x.num_elements());
  std::vector<T> out(static_cast<size_t>(x.num_elements()));
  for (int64_t b = 0; b < d.batch; ++b) {
    for (int64_t t = 0; t < d.seq; ++t) {
      std::copy_n(p + (b * d.seq + t) * d.input, d.input, out.data() + (t * d.batch + b) * d.input);
    }
  }
  return out;
}

// An initial state [dirs, batch, hidden] (zeros when absent; layout 1 transposed).
template <typename T>
std::vector<T> rnn_initial_state(const Tensor* t, const RnnDims& d, int64_t layout) {
  std::vector<T> out(static_cast<size_t>(d.dirs * d.batch * d.hidden), T(0));
  if (t == nullptr) return out;
  const T* p = t->data<T>();
  for (int64_t dir = 0; dir < d.dirs; ++dir) {
    for (int64_t b = 0; b < d.batch; ++b) {
      const int64_t src = layout == 0 ? (dir * d.batch + b) : (b * d.dirs + dir);
      std::copy_n(p + src * d.hidden, d.hidden, out.data() + (dir * d.batch + b) * d.hidden);
    }
  }
  return out;
}

// Y from time-major [seq, dirs, batch, hidden] to the node's layout.
template <typename T>
Tensor rnn_output_sequence(const std::vector<T>& y, const RnnDims& d, int64_t layout, DataType dt) {
  if (layout == 0) {
    Tensor t = Tensor::allocate(dt, {d.seq, d.dirs, d.batch, d.hidden});
    std::copy(y.begin(), y.end(), t.mutable_data<T>());
    return t;
  }
  Tensor t = Tensor::allocate(dt, {d.batch, d.seq, d.dirs, d.hidden});
  T* o = t.mutable_data<T>();
  for (int64_t s = 0; s < d.seq; ++s) {
    for (int64_t dir = 0; dir < d.dirs; ++dir) {
      for (int64_t b = 0; b < d.batch; ++b) {
        std::copy_n(y.data() + ((s * d.dirs + dir) * d.batch + b) * d.hidden, d.hidden,
                    o + ((b * d.seq + s) * d.dirs + dir) * d.hidden);
      }
    }
  }
  return t;
}

// A final state from [dirs, batch, hidden] to the node's layout.
template <typename T>
Tensor rnn_output_state(const std::vector<T>& h, const RnnDims& d, int64_t layout, DataType dt) {
  if (layout == 0) {
    Tensor t = Tensor::allocate(dt, {d.dirs, d.batch, d.hidden});
    std::copy(h.begin(), h.end(), t.mutable_data<T>());
    return t;
  }
  Tensor t = Tensor::allocate(dt, {d.batch, d.dirs, d.hidden});
  T* o = t.mutable_data<T>();
  for (int64_t dir = 0; dir < d.dirs; ++dir) {
    for (int64_t b = 0; b < d.batch; ++b) {
      std::copy_n(h.data() + (dir * d.batch + b) * d.hidden, d.hidden,
                  o + (b * d.dirs + dir) * d.hidden);
    }
  }
  return t;
}

// The time index batch row b reads at step s of a direction, or -1 past its length.
inline int64_t rnn_step_time(bool reverse, int64_t s, int64_t length) {
  if (s >= length) return -1;
  return reverse ? length - 1 - s : s;
}

template <typename T>
inline T rnn_clip(T v, float clip) {
  return clip > 0.f ? std::clamp(v, T(-clip), T(clip)) : v;
}

}  // namespace modelhost::engine::cpu
