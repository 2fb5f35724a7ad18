// The loss ops NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss: their shared attributes
// (reduction, ignore_index) and the negative log-likelihood over log-probabilities of shape
// [N, C, d1, ..., dk] with class targets of shape [N, d1, ..., dk].
//
// loss[n, d] = -logp[n, target[n, d], d] * w[n, d], where w is weight[target] (1 without a
// weight input) and 0 where target == ignore_index. reduction "none" keeps the target's shape,
// "sum" adds up, "mean" divides the sum by the sum of w (0 / 0 gives NaN, as in the reference).
// Sums are accumulated in double.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/exec/kernel.h"
#include "engine/ir/graph.h"
#include "engine/ir/tensor.h"

namespace modelhost::engine::cpu {

enum class LossReduction { kNone, kSum, kMean };

struct LossConfig {
  LossReduction reduction = LossReduction::kMean;
  std::optional<int64_t> ignore_index;
};

// Reads `reduction` (default "mean") and `ignore_index` (absent by default); an unknown
// reduction is a load error.
inline Result<LossConfig> parse_loss_config(const ir::Node& node) {
  LossConfig cfg;
  ASSIGN_OR_RETURN(std::string reduction, node.attributes.get_string("reduction", "mean"));
  if (reduction == "none") {
    cfg.reduction = LossReduction::kNone;
  } else if (reduction == "sum") {
    cfg.reduction = LossReduction::kSum;
  } else if (reduction == "mean") {
    cfg.reduction = LossReduction::kMean;
  } else {
    return invalid_argument("reduction must be \"none\", \"sum\" or \"mean\", got \"" + reduction +
                            "\"");
  }
  if (node.attributes.has("ignore_index")) {
    ASSIGN_OR_RETURN(int64_t ii, node.attributes.get_int("ignore_index", 0));
    cfg.ignore_index = ii;
  }
  return cfg;
}

// The geometry of a loss: input [N, C, d...], target [N, d...], weight [C].
struct LossShape {
  int64_t n = 0;
  int64_t c = 0;
  int64_t d = 1;  // product of d1..dk
};

// Checks the input / target / weight shapes and the target dtype against each other.
inline Result<LossShape> check_loss_shapes(const Tensor& x, const Tensor& target,
                                           const Tensor* weight, std::string_view op) {
  if (x.rank() < 2) {
    return invalid_argument(std::string(op) + " input must have rank >= 2 ([N, C, ...]), got " +
                            shape_to_string(x.shape()));
  }
  RETURN_IF_ERROR(exec::check_dtype(target, 1, op, {DataType::kInt32, DataType::kInt64}));
  Shape expected{x.shape()[0]};
  expected.insert(expected.end(), x.shape().begin() + 2, x.shape().end());
  if (target.shape() != expected) {
    return invalid_argument("target shape " + shape_to_string(target.shape()) +
                            " does not match input shape " + shape_to_string(x.shape()) +
                            " (expected " + shape_to_string(expected) + ")");
  }
  LossShape s;
  s.n = x.shape()[0];
  s.c = x.shape()[1];
  for (size_t i = 2; i < x.shape().size(); ++i) s.d *= x.shape()[i];
  if (weight != nullptr) {
    RETURN_IF_ERROR(exec::check_same_dtype(x, *weight));
    if (weight->shape() != Shape{s.c}) {
      return invalid_argument("weight shape " + shape_to_string(weight->shape()) +
                              " must be [C] = [" + std::to_string(s.c) + "]");
    }
  }
  return s;
}

// The loss over log-probabilities `logp` (element type T, float or double), written to `out`
// (dtype of T; the target's shape for "none", a scalar otherwise).
template <typename T>
Status nll_from_log_prob(const T* logp, const LossShape& s, const Tensor& target, const T* weight,
                         const LossConfig& cfg, Tensor& out) {
  const int64_t count = s.n * s.d;
  std::vector<int64_t> t(static_cast<size_t>(count));
  if (target.dtype() == DataType::kInt32) {
    for (int64_t i = 0; i < count; ++i) t[static_cast<size_t>(i)] = target.data<int32_t>()[i];
  } else {
    for (int64_t i = 0; i < count; ++i) t[static_cast<size_t>(i)] = target.data<int64_t>()[i];
  }
  Tensor per_item;
  T* per = nullptr;
  if (cfg.reduction == LossReduction::kNone) {
    per_item = Tensor::allocate(DataTypeOf<T>::value, target.shape());
    per = per_item.mutable_data<T>();
  }
  double sum = 0.0, weight_sum = 0.0;
  for (int64_t n = 0; n < s.n; ++n) {
    for (int64_t d = 0; d < s.d; ++d) {
      const int64_t i = n * s.d + d;
      const int64_t cls = t[static_cast<size_t>(i)];
      double loss = 0.0, w = 0.0;
      if (!(cfg.ignore_index && cls == *cfg.ignore_index)) {
        if (cls < 0 || cls >= s.c) {
          return invalid_argument("target value " + std::to_string(cls) + " at index " +
                                  std::to_string(i) + " is outside the classes [0, " +
                                  std::to_string(s.c) + ")" +
                                  (cfg.ignore_index ? " and is not ignore_index" : ""));
        }
        w = weight != nullptr ? static_cast<double>(weight[cls]) : 1.0;
        loss = -static_cast<double>(logp[(n * s.c + cls) * s.d + d]) * w;
      }
      if (per != nullptr) per[i] = static_cast<T>(loss);
      sum += loss;
      weight_sum += w;
    }
  }
  if (cfg.reduction == LossReduction::kNone) {
    out = std::move(per_item);
    return Status::ok_status();
  }
  out = Tensor::allocate(DataTypeOf<T>::value, {});
  out.mutable_data<T>()[0] =
      static_cast<T>(cfg.reduction == LossReduction::kSum ? sum : sum / weight_sum);
  return Status::ok_status();
}

}  // namespace modelhost::engine::cpu
