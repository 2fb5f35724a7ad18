// The numpy matmul shape rules shared by MatMul, MatMulInteger and QLinearMatMul: 1-D operands
// promoted (A to [1, K], B to [K, 1]) and the added dim dropped from the result, leading (batch)
// dims broadcast, and where each batch entry's matrices start in A and B.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/cpu/elementwise.h"
#include "engine/ir/tensor.h"

namespace modelhost::engine::cpu {

struct MatMulShape {
  int64_t m = 0, k = 0, n = 0;
  int64_t batches = 1;  // product of the broadcast batch dims
  Shape out_shape;
  bool b_is_matrix = false;  // B is exactly 2-D: one matrix shared by every batch entry
  // Per batch entry t, the index of its matrix in A and in B (multiply by m * k and k * n for
  // element offsets), following the broadcast.
  std::vector<int64_t> a_matrix, b_matrix;
};

// Errors name `op`: a 0-D operand, inner dims that differ, batch dims that do not broadcast, or
// an output too large for elements of `elem_size` bytes.
inline Result<MatMulShape> resolve_matmul(const Shape& a_shape, const Shape& b_shape,
                                          const std::string& op, size_t elem_size) {
  if (a_shape.empty() || b_shape.empty()) {
    return invalid_argument(op + " inputs must be at least 1-D, got " + shape_to_string(a_shape) +
                            " and " + shape_to_string(b_shape));
  }
  Shape as = a_shape, bs = b_shape;
  const bool a_vec = as.size() == 1, b_vec = bs.size() == 1;
  if (a_vec) as.insert(as.begin(), 1);
  if (b_vec) bs.push_back(1);
  MatMulShape r;
  r.m = as[as.size() - 2];
  r.k = as.back();
  r.n = bs.back();
  r.b_is_matrix = b_shape.size() == 2;
  if (bs[bs.size() - 2] != r.k) {
    return invalid_argument("inner dimensions differ: " + shape_to_string(a_shape) + " x " +
                            shape_to_string(b_shape));
  }
  const std::span<const int64_t> a_batch(as.data(), as.size() - 2);
  const std::span<const int64_t> b_batch(bs.data(), bs.size() - 2);
  ASSIGN_OR_RETURN(Shape batch, broadcast_shape(a_batch, b_batch));
  r.out_shape = batch;
  if (!a_vec) r.out_shape.push_back(r.m);
  if (!b_vec) r.out_shape.push_back(r.n);
  Shape full = batch;
  full.push_back(r.m);
  full.push_back(r.n);
  RETURN_IF_ERROR(checked_num_elements(full, elem_size).status());
  ASSIGN_OR_RETURN(r.batches, checked_num_elements(batch));
  const BroadcastPlan plan = plan_broadcast(a_batch, b_batch, batch);
  r.a_matrix.resize(static_cast<size_t>(r.batches));
  r.b_matrix.resize(static_cast<size_t>(r.batches));
  for (int64_t t = 0; t < r.batches; ++t) {
    int64_t rem = t, ao = 0, bo = 0;
    for (size_t d = plan.dims.size(); d-- > 0;) {
      const int64_t i = rem % plan.dims[d];
      rem /= plan.dims[d];
      ao += i * plan.a_stride[d];
      bo += i * plan.b_stride[d];
    }
    r.a_matrix[static_cast<size_t>(t)] = ao;
    r.b_matrix[static_cast<size_t>(t)] = bo;
  }
  return r;
}

}  // namespace modelhost::engine::cpu
