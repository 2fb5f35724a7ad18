// TensorScatter (opset 24+): a KV-cache update. present = past_cache with, for each batch b, the
// `update` rows along `axis` (default -2) written at positions write_indices[b] + s (0 without
// write_indices); mode "circular" wraps positions modulo the cache length, "linear" (default)
// requires them in range. Every dtype.
#include <cstring>
#include <string>
#include <vector>

#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class TensorScatterKernel final : public exec::Kernel {
 public:
  TensorScatterKernel(int64_t axis, bool circular) : axis_(axis), circular_(circular) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& cache = *inputs[0];
    const Tensor& update = *inputs[1];
    RETURN_IF_ERROR(exec::check_same_dtype(cache, update));
    if (cache.rank() < 2) {
      return invalid_argument("past_cache must have rank >= 2, got " +
                              shape_to_string(cache.shape()));
    }
    ASSIGN_OR_RETURN(int64_t axis, exec::normalize_axis(axis_, cache.rank()));
    if (axis == 0) return invalid_argument("axis must not be the batch axis 0");
    bool compatible = update.rank() == cache.rank();
    for (int64_t d = 0; compatible && d < cache.rank(); ++d) {
      const int64_t c = cache.shape()[static_cast<size_t>(d)];
      const int64_t u = update.shape()[static_cast<size_t>(d)];
      compatible = d == axis ? u <= c : u == c;
    }
    if (!compatible) {
      return invalid_argument("update " + shape_to_string(update.shape()) +
                              " does not fit past_cache " + shape_to_string(cache.shape()) +
                              " along axis " + std::to_string(axis));
    }
    const int64_t batch = cache.shape()[0];
    std::vector<int64_t> write(static_cast<size_t>(batch), 0);
    if (inputs.size() > 2 && inputs[2] != nullptr) {
      ASSIGN_OR_RETURN(write, read_int_tensor(*inputs[2], 2, "TensorScatter"));
      if (static_cast<int64_t>(write.size()) != batch) {
        return invalid_argument("write_indices has " + std::to_string(write.size()) +
                                " values for a batch of " + std::to_string(batch));
      }
    }
    const int64_t max_len = cache.shape()[static_cast<size_t>(axis)];
    const int64_t seq = update.shape()[static_cast<size_t>(axis)];
    const int64_t per_batch = product(cache.shape(), 1, static_cast<size_t>(axis));
    const size_t row = static_cast<size_t>(product(cache.shape(), static_cast<size_t>(axis) + 1,
                                                   cache.shape().size())) *
                       dtype_size(cache.dtype());
    Tensor out = Tensor::allocate(cache.dtype(), cache.shape());
    if (cache.byte_size() > 0)
      std::memcpy(out.mutable_raw_data(), cache.raw_data(), cache.byte_size());
    const auto* src = static_cast<const uint8_t*>(update.raw_data());
    auto* dst = static_cast<uint8_t*>(out.mutable_raw_data());
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t s = 0; s < seq; ++s) {
        int64_t pos = write[static_cast<size_t>(b)] + s;
        if (circular_) {
          pos = ((pos % max_len) + max_len) % max_len;
        } else if (pos < 0 || pos >= max_len) {
          return invalid_argument("write position " + std::to_string(pos) + " for batch " +
                                  std::to_string(b) + " is outside the cache length " +
                                  std::to_string(max_len) + " (mode \"linear\")");
        }
        for (int64_t p = 0; p < per_batch; ++p) {
          const int64_t outer = b * per_batch + p;
          if (row == 0) continue;
          std::memcpy(dst + static_cast<size_t>(outer * max_len + pos) * row,
                      src + static_cast<size_t>(outer * seq + s) * row, row);
        }
      }
    }
    outputs[0] = std::move(out);
    return Status::ok_status();
  }

 private:
  int64_t axis_;
  bool circular_;
};

Result<std::unique_ptr<exec::Kernel>> make_tensor_scatter(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 3));
  RETURN_IF_ERROR(exec::check_attributes(node, {"axis", "mode"}));
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", -2));
  ASSIGN_OR_RETURN(std::string mode, node.attributes.get_string("mode", "linear"));
  if (mode != "linear" && mode != "circular") {
    return invalid_argument("mode must be \"linear\" or \"circular\", got \"" + mode + "\"");
  }
  return exec::make_kernel<TensorScatterKernel>(axis, mode == "circular");
}

MH_REGISTER_CPU_KERNEL(TensorScatter, 24, exec::kMaxOpset, make_tensor_scatter);

}  // namespace
}  // namespace modelhost::engine::cpu
