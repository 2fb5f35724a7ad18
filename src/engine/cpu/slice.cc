// Slice: data[starts:ends:steps] on the listed axes (default 0..n-1). Before opset 10 starts,
// ends and axes are attributes (step 1); from 10 they are int32/int64 inputs with optional axes
// and steps. Negative starts/ends count from the end and are clamped as the spec says:
// [0, dim] for positive steps, [0, dim-1] / [-1, dim-1] for negative ones.
#include <algorithm>

#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class SliceKernel final : public exec::Kernel {
 public:
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    return exec::propagate_dtype(inputs, outputs);
  }
  // attrs_: opset < 10, where starts/ends/axes come from the node.
  SliceKernel(bool attrs, std::vector<int64_t> starts, std::vector<int64_t> ends,
              std::vector<int64_t> axes, bool has_axes)
      : attrs_(attrs),
        starts_(std::move(starts)),
        ends_(std::move(ends)),
        axes_(std::move(axes)),
        has_axes_(has_axes) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& data = *inputs[0];
    const int64_t rank = data.rank();
    std::vector<int64_t> starts = starts_, ends = ends_, axes = axes_, steps;
    bool has_axes = has_axes_;
    if (!attrs_) {
      ASSIGN_OR_RETURN(starts, read_int_tensor(*inputs[1], 1, "Slice"));
      ASSIGN_OR_RETURN(ends, read_int_tensor(*inputs[2], 2, "Slice"));
      has_axes = inputs.size() > 3 && inputs[3] != nullptr;
      if (has_axes) {
        ASSIGN_OR_RETURN(axes, read_int_tensor(*inputs[3], 3, "Slice"));
      }
      if (inputs.size() > 4 && inputs[4] != nullptr) {
        ASSIGN_OR_RETURN(steps, read_int_tensor(*inputs[4], 4, "Slice"));
      }
    }
    if (!has_axes) {
      axes.clear();
      for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
    }
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() ||
        steps.size() != starts.size()) {
      return invalid_argument("starts, ends, axes and steps must have the same length, got " +
                              std::to_string(starts.size()) + ", " + std::to_string(ends.size()) +
                              ", " + std::to_string(axes.size()) + ", " +
                              std::to_string(steps.size()));
    }
    ASSIGN_OR_RETURN(axes, normalize_axes(axes, rank));
    Shape out_shape = data.shape();
    std::vector<std::vector<int64_t>> maps(static_cast<size_t>(rank));
    std::vector<int64_t> first(static_cast<size_t>(rank), 0), step(static_cast<size_t>(rank), 1);
    for (size_t i = 0; i < axes.size(); ++i) {
      const size_t a = static_cast<size_t>(axes[i]);
      const int64_t dim = data.shape()[a];
      if (steps[i] == 0) return invalid_argument("slice step cannot be 0");
      int64_t s = starts[i], e = ends[i];
      if (s < 0) s += dim;
      if (e < 0) e += dim;
      int64_t n;
      if (steps[i] > 0) {
        s = std::clamp<int64_t>(s, 0, dim);
        e = std::clamp<int64_t>(e, 0, dim);
        n = e > s ? (e - s - 1) / steps[i] + 1 : 0;
      } else {
        s = std::clamp<int64_t>(s, 0, dim - 1);
        e = std::clamp<int64_t>(e, -1, dim - 1);
        n = s > e ? (s - e - 1) / (-steps[i]) + 1 : 0;
      }
      out_shape[a] = n;
      first[a] = s;
      step[a] = steps[i];
    }
    for (size_t d = 0; d < static_cast<size_t>(rank); ++d) {
      maps[d].resize(static_cast<size_t>(out_shape[d]));
      for (int64_t i = 0; i < out_shape[d]; ++i)
        maps[d][static_cast<size_t>(i)] = first[d] + i * step[d];
    }
    ASSIGN_OR_RETURN(Tensor y, allocate_checked(data.dtype(), out_shape));
    map_copy(static_cast<const uint8_t*>(data.raw_data()), strides_of(data.shape()), maps,
             out_shape, static_cast<uint8_t*>(y.mutable_raw_data()), dtype_size(data.dtype()),
             nullptr);
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  bool attrs_;
  std::vector<int64_t> starts_, ends_, axes_;
  bool has_axes_;
};

Result<std::unique_ptr<exec::Kernel>> make_slice_v1(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"starts", "ends", "axes"}));
  if (!node.attributes.has("starts") || !node.attributes.has("ends")) {
    return invalid_argument("attributes \"starts\" and \"ends\" are required");
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> starts, node.attributes.get_ints("starts", {}));
  ASSIGN_OR_RETURN(std::vector<int64_t> ends, node.attributes.get_ints("ends", {}));
  ASSIGN_OR_RETURN(std::vector<int64_t> axes, node.attributes.get_ints("axes", {}));
  const bool has_axes = node.attributes.has("axes");
  return exec::make_kernel<SliceKernel>(true, std::move(starts), std::move(ends), std::move(axes),
                                        has_axes);
}

Result<std::unique_ptr<exec::Kernel>> make_slice_v10(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 3, 5));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return exec::make_kernel<SliceKernel>(false, std::vector<int64_t>{}, std::vector<int64_t>{},
                                        std::vector<int64_t>{}, false);
}

MH_REGISTER_CPU_KERNEL(Slice, 1, 9, make_slice_v1);
MH_REGISTER_CPU_KERNEL(Slice, 10, exec::kMaxOpset, make_slice_v10);

}  // namespace
}  // namespace modelhost::engine::cpu
