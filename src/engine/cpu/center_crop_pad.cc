// CenterCropPad (opset 18+): crops or zero-pads each of `axes` (default all) to the length given
// by the `shape` input, keeping the center; an odd difference puts the extra element at the end
// (crop starts at floor((dim - len) / 2), padding before is floor((len - dim) / 2)). Every dtype.
#include <algorithm>
#include <string>
#include <vector>

#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class CenterCropPadKernel final : public exec::Kernel {
 public:
  explicit CenterCropPadKernel(std::vector<int64_t> axes) : axes_(std::move(axes)) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    ASSIGN_OR_RETURN(std::vector<int64_t> lengths, read_int_tensor(*inputs[1], 1, "CenterCropPad"));
    std::vector<int64_t> axes;
    if (axes_.empty()) {
      for (int64_t a = 0; a < x.rank(); ++a) axes.push_back(a);
    } else {
      ASSIGN_OR_RETURN(axes, normalize_axes(axes_, x.rank()));
    }
    if (lengths.size() != axes.size()) {
      return invalid_argument("shape has " + std::to_string(lengths.size()) +
                              " values but there are " + std::to_string(axes.size()) + " axes");
    }
    Shape out_shape = x.shape();
    std::vector<std::vector<int64_t>> maps(out_shape.size());
    for (size_t d = 0; d < out_shape.size(); ++d) {
      maps[d].resize(static_cast<size_t>(out_shape[d]));
      for (int64_t i = 0; i < out_shape[d]; ++i) maps[d][static_cast<size_t>(i)] = i;
    }
    for (size_t k = 0; k < axes.size(); ++k) {
      const size_t a = static_cast<size_t>(axes[k]);
      const int64_t dim = x.shape()[a], len = lengths[k];
      if (len < 0) {
        return invalid_argument("shape value " + std::to_string(len) + " for axis " +
                                std::to_string(a) + " is negative");
      }
      out_shape[a] = len;
      maps[a].assign(static_cast<size_t>(len), -1);
      const int64_t crop = dim > len ? (dim - len) / 2 : 0;
      const int64_t pad = len > dim ? (len - dim) / 2 : 0;
      for (int64_t i = 0; i < std::min(dim, len); ++i)
        maps[a][static_cast<size_t>(pad + i)] = crop + i;
    }
    ASSIGN_OR_RETURN(Tensor y, allocate_checked(x.dtype(), out_shape));
    const size_t elem = dtype_size(x.dtype());
    const std::vector<uint8_t> zero(elem, 0);
    map_copy(static_cast<const uint8_t*>(x.raw_data()), strides_of(x.shape()), maps, out_shape,
             static_cast<uint8_t*>(y.mutable_raw_data()), elem, zero.data());
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  std::vector<int64_t> axes_;
};

Result<std::unique_ptr<exec::Kernel>> make_center_crop_pad(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
  RETURN_IF_ERROR(exec::check_attributes(node, {"axes"}));
  ASSIGN_OR_RETURN(std::vector<int64_t> axes, node.attributes.get_ints("axes", {}));
  return exec::make_kernel<CenterCropPadKernel>(std::move(axes));
}

MH_REGISTER_CPU_KERNEL(CenterCropPad, 18, exec::kMaxOpset, make_center_crop_pad);

}  // namespace
}  // namespace modelhost::engine::cpu
