// ReverseSequence: for each batch entry b (along batch_axis), reverses the first
// sequence_lens[b] elements along time_axis and copies the rest. The two axes are 0 and 1.
#include <cstring>

#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class ReverseSequenceKernel final : public exec::Kernel {
 public:
  ReverseSequenceKernel(int64_t batch_axis, int64_t time_axis) : batch_(batch_axis), time_(time_axis) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    if (x.rank() < 2) return invalid_argument("input must have rank >= 2, got " + shape_to_string(x.shape()));
    ASSIGN_OR_RETURN(std::vector<int64_t> lens, read_int_tensor(*inputs[1], 1, "ReverseSequence"));
    const int64_t batch = x.shape()[static_cast<size_t>(batch_)];
    const int64_t steps = x.shape()[static_cast<size_t>(time_)];
    if (static_cast<int64_t>(lens.size()) != batch) {
      return invalid_argument("sequence_lens has " + std::to_string(lens.size()) +
                              " entries for a batch of " + std::to_string(batch));
    }
    for (int64_t l : lens) {
      if (l < 0 || l > steps) {
        return invalid_argument("sequence length " + std::to_string(l) + " is out of range 0.." +
                                std::to_string(steps));
      }
    }
    const size_t elem = dtype_size(x.dtype());
    const size_t inner = static_cast<size_t>(product(x.shape(), 2, x.shape().size())) * elem;
    const std::vector<int64_t> st = strides_of(x.shape());
    Tensor y = Tensor::allocate(x.dtype(), x.shape());
    const auto* src = static_cast<const uint8_t*>(x.raw_data());
    auto* dst = static_cast<uint8_t*>(y.mutable_raw_data());
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t len = lens[static_cast<size_t>(b)];
      for (int64_t t = 0; t < steps; ++t) {
        const int64_t from = t < len ? len - 1 - t : t;
        const int64_t out_off = b * st[static_cast<size_t>(batch_)] + t * st[static_cast<size_t>(time_)];
        const int64_t in_off = b * st[static_cast<size_t>(batch_)] + from * st[static_cast<size_t>(time_)];
        if (inner > 0) {
          std::memcpy(dst + static_cast<size_t>(out_off) * elem, src + static_cast<size_t>(in_off) * elem, inner);
        }
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  int64_t batch_, time_;
};

Result<std::unique_ptr<exec::Kernel>> make_reverse_sequence(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
  RETURN_IF_ERROR(exec::check_attributes(node, {"batch_axis", "time_axis"}));
  ASSIGN_OR_RETURN(int64_t batch_axis, node.attributes.get_int("batch_axis", 1));
  ASSIGN_OR_RETURN(int64_t time_axis, node.attributes.get_int("time_axis", 0));
  if (!((batch_axis == 0 && time_axis == 1) || (batch_axis == 1 && time_axis == 0))) {
    return invalid_argument("batch_axis and time_axis must be 0 and 1, got " +
                            std::to_string(batch_axis) + " and " + std::to_string(time_axis));
  }
  return exec::make_kernel<ReverseSequenceKernel>(batch_axis, time_axis);
}

MH_REGISTER_CPU_KERNEL(ReverseSequence, 10, exec::kMaxOpset, make_reverse_sequence);

}  // namespace
}  // namespace modelhost::engine::cpu
