// Tile: the input repeated repeats[d] times along each dim d (repeats: int64, one per dim).
#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class TileKernel final : public exec::Kernel {
 public:
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    return exec::propagate_dtype(inputs, outputs);
  }
  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    ASSIGN_OR_RETURN(std::vector<int64_t> reps, read_int_tensor(*inputs[1], 1, "Tile"));
    if (static_cast<int64_t>(reps.size()) != x.rank()) {
      return invalid_argument("repeats " + shape_to_string(reps) +
                              " must have one entry per dim of " + shape_to_string(x.shape()));
    }
    Shape out(x.shape().size());
    for (size_t d = 0; d < out.size(); ++d) {
      if (reps[d] < 0)
        return invalid_argument("repeats " + shape_to_string(reps) + " has a negative entry");
      if (x.shape()[d] != 0 && reps[d] > (int64_t{1} << 62) / x.shape()[d]) {
        return invalid_argument("repeats " + shape_to_string(reps) + " overflow");
      }
      out[d] = x.shape()[d] * reps[d];
    }
    ASSIGN_OR_RETURN(Tensor y, allocate_checked(x.dtype(), out));
    std::vector<std::vector<int64_t>> maps(out.size());
    for (size_t d = 0; d < out.size(); ++d) {
      maps[d].resize(static_cast<size_t>(out[d]));
      for (int64_t i = 0; i < out[d]; ++i) maps[d][static_cast<size_t>(i)] = i % x.shape()[d];
    }
    map_copy(static_cast<const uint8_t*>(x.raw_data()), strides_of(x.shape()), maps, out,
             static_cast<uint8_t*>(y.mutable_raw_data()), dtype_size(x.dtype()), nullptr);
    outputs[0] = std::move(y);
    return Status::ok_status();
  }
};

Result<std::unique_ptr<exec::Kernel>> make_tile(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return exec::make_kernel<TileKernel>();
}

MH_REGISTER_CPU_KERNEL(Tile, 6, exec::kMaxOpset, make_tile);

}  // namespace
}  // namespace modelhost::engine::cpu
