// Split: input cut along `axis` into one piece per output. The piece sizes come from the `split`
// attribute (opset < 13) or the optional int64 `split` input (13+); without them the dim is
// divided equally, and from opset 18 `num_outputs` pieces of ceil(dim / n) with a smaller last.
#include <algorithm>
#include <cstring>

#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class SplitKernel final : public exec::Kernel {
 public:
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    for (DataType& out : outputs) out = inputs[0];
    return Status::ok_status();
  }
  SplitKernel(int64_t axis, std::vector<int64_t> split, bool split_input, int64_t num_outputs)
      : axis_(axis),
        split_(std::move(split)),
        split_input_(split_input),
        num_outputs_(num_outputs) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    ASSIGN_OR_RETURN(int64_t axis, exec::normalize_axis(axis_, x.rank()));
    const int64_t dim = x.shape()[static_cast<size_t>(axis)];
    const int64_t n = static_cast<int64_t>(outputs.size());
    std::vector<int64_t> split = split_;
    if (split_input_ && inputs.size() > 1 && inputs[1] != nullptr) {
      ASSIGN_OR_RETURN(split, read_int_tensor(*inputs[1], 1, "Split"));
    }
    if (split.empty()) {
      if (num_outputs_ > 0) {
        const int64_t chunk = (dim + n - 1) / n;
        for (int64_t i = 0; i < n; ++i)
          split.push_back(std::max<int64_t>(0, std::min(chunk, dim - i * chunk)));
      } else {
        if (dim % n != 0) {
          return invalid_argument("dim " + std::to_string(dim) + " cannot be split equally into " +
                                  std::to_string(n) + " outputs");
        }
        split.assign(static_cast<size_t>(n), dim / n);
      }
    }
    int64_t sum = 0;
    for (int64_t s : split) {
      if (s < 0)
        return invalid_argument("split " + shape_to_string(split) + " has a negative size");
      sum += s;
    }
    if (static_cast<int64_t>(split.size()) != n || sum != dim) {
      return invalid_argument("split " + shape_to_string(split) + " does not cut dim " +
                              std::to_string(dim) + " into " + std::to_string(n) + " outputs");
    }
    const size_t elem = dtype_size(x.dtype());
    const int64_t outer = product(x.shape(), 0, static_cast<size_t>(axis));
    const size_t inner =
        static_cast<size_t>(product(x.shape(), static_cast<size_t>(axis) + 1, x.shape().size())) *
        elem;
    const auto* src = static_cast<const uint8_t*>(x.raw_data());
    size_t col = 0;
    for (int64_t i = 0; i < n; ++i) {
      Shape shape = x.shape();
      shape[static_cast<size_t>(axis)] = split[static_cast<size_t>(i)];
      Tensor y = Tensor::allocate(x.dtype(), shape);
      const size_t row = static_cast<size_t>(split[static_cast<size_t>(i)]) * inner;
      auto* dst = static_cast<uint8_t*>(y.mutable_raw_data());
      if (row > 0) {
        for (int64_t o = 0; o < outer; ++o) {
          std::memcpy(dst + static_cast<size_t>(o) * row,
                      src + static_cast<size_t>(o) * static_cast<size_t>(dim) * inner + col, row);
        }
      }
      col += row;
      outputs[static_cast<size_t>(i)] = std::move(y);
    }
    return Status::ok_status();
  }

 private:
  int64_t axis_;
  std::vector<int64_t> split_;
  bool split_input_;
  int64_t num_outputs_;
};

Result<std::unique_ptr<exec::Kernel>> make_split(const ir::Node& node) {
  const bool split_input = node.opset >= 13;
  RETURN_IF_ERROR(exec::check_arity(node, 1, split_input ? 2 : 1, SIZE_MAX));
  if (node.opset >= 18) {
    RETURN_IF_ERROR(exec::check_attributes(node, {"axis", "num_outputs"}));
  } else if (split_input) {
    RETURN_IF_ERROR(exec::check_attributes(node, {"axis"}));
  } else {
    RETURN_IF_ERROR(exec::check_attributes(node, {"axis", "split"}));
  }
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", 0));
  ASSIGN_OR_RETURN(std::vector<int64_t> split, node.attributes.get_ints("split", {}));
  ASSIGN_OR_RETURN(int64_t num_outputs, node.attributes.get_int("num_outputs", 0));
  const bool has_split_input = split_input && node.inputs.size() > 1 && !node.inputs[1].empty();
  if (node.attributes.has("num_outputs")) {
    if (has_split_input) return invalid_argument("num_outputs and the split input are exclusive");
    if (num_outputs != static_cast<int64_t>(node.outputs.size())) {
      return invalid_argument("num_outputs is " + std::to_string(num_outputs) +
                              " but the node has " + std::to_string(node.outputs.size()) +
                              " outputs");
    }
  } else if (node.opset >= 18 && !has_split_input) {
    return invalid_argument("either the split input or num_outputs is required");
  }
  return exec::make_kernel<SplitKernel>(axis, std::move(split), split_input, num_outputs);
}

MH_REGISTER_CPU_KERNEL(Split, 2, exec::kMaxOpset, make_split);

}  // namespace
}  // namespace modelhost::engine::cpu
