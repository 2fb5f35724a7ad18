#include "engine/cpu/elementwise.h"

#include "engine/cpu/unary.h"

namespace modelhost::engine::cpu {

Result<Shape> broadcast_shape(std::span<const int64_t> a, std::span<const int64_t> b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      return invalid_argument("shapes " + shape_to_string(a) + " and " + shape_to_string(b) +
                              " cannot be broadcast together");
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

BroadcastPlan plan_broadcast(std::span<const int64_t> a, std::span<const int64_t> b,
                             std::span<const int64_t> out) {
  const size_t rank = out.size();
  // Per output dim: its size and whether a / b are broadcast along it.
  struct Dim {
    int64_t size;
    bool a_bcast, b_bcast;
  };
  std::vector<Dim> merged;
  for (size_t i = 0; i < rank; ++i) {
    if (out[i] == 1) continue;  // contributes nothing to offsets
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    Dim d{out[i], da == 1, db == 1};
    if (!merged.empty() && merged.back().a_bcast == d.a_bcast &&
        merged.back().b_bcast == d.b_bcast) {
      merged.back().size *= d.size;
    } else {
      merged.push_back(d);
    }
  }
  if (merged.empty()) merged.push_back({1, false, false});

  BroadcastPlan plan;
  plan.num_elements = 1;
  int64_t sa = 1, sb = 1;
  plan.dims.resize(merged.size());
  plan.a_stride.resize(merged.size());
  plan.b_stride.resize(merged.size());
  for (size_t i = merged.size(); i-- > 0;) {
    plan.dims[i] = merged[i].size;
    plan.a_stride[i] = merged[i].a_bcast ? 0 : sa;
    plan.b_stride[i] = merged[i].b_bcast ? 0 : sb;
    if (!merged[i].a_bcast) sa *= merged[i].size;
    if (!merged[i].b_bcast) sb *= merged[i].size;
    plan.num_elements *= merged[i].size;
  }
  return plan;
}

Result<Tensor> half_to_float32(const exec::KernelContext& ctx, const Tensor& t) {
  return convert_tensor(ctx, t, DataType::kFloat32);
}

Result<Tensor> float32_to_half(const exec::KernelContext& ctx, const Tensor& t, DataType to) {
  return convert_tensor(ctx, t, to);
}

}  // namespace modelhost::engine::cpu
