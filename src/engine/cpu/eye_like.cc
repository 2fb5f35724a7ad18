// EyeLike: a 2-D tensor of the input's shape with ones on diagonal k (attribute, default 0) and
// zeros elsewhere, in the `dtype` attribute's type (default: the input's).
#include <cstring>

#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class EyeLikeKernel final : public exec::Kernel {
 public:
  EyeLikeKernel(bool has_dtype, DataType dtype, int64_t k) : has_dtype_(has_dtype), dtype_(dtype), k_(k) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    if (x.rank() != 2) return invalid_argument("input must be 2-D, got " + shape_to_string(x.shape()));
    const DataType dt = has_dtype_ ? dtype_ : x.dtype();
    const size_t elem = dtype_size(dt);
    std::vector<uint8_t> one(elem);
    RETURN_IF_ERROR(visit_numeric(dt, [&]<typename N>() {
      const auto v = N::store(static_cast<typename N::Acc>(1));
      std::memcpy(one.data(), &v, elem);
      return Status::ok_status();
    }));
    const int64_t rows = x.shape()[0], cols = x.shape()[1];
    Tensor y = Tensor::allocate(dt, x.shape());
    auto* dst = static_cast<uint8_t*>(y.mutable_raw_data());
    for (int64_t i = 0; i < rows; ++i) {
      const int64_t j = i + k_;
      if (j >= 0 && j < cols) copy_elem(dst + static_cast<size_t>(i * cols + j) * elem, one.data(), elem);
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  bool has_dtype_;
  DataType dtype_;
  int64_t k_;
};

Result<std::unique_ptr<exec::Kernel>> make_eye_like(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"dtype", "k"}));
  ASSIGN_OR_RETURN(int64_t k, node.attributes.get_int("k", 0));
  DataType dt = DataType::kUndefined;
  const bool has_dtype = node.attributes.has("dtype");
  if (has_dtype) {
    ASSIGN_OR_RETURN(int64_t code, node.attributes.get_int("dtype", 1));
    ASSIGN_OR_RETURN(dt, dtype_attribute(code));
  }
  return exec::make_kernel<EyeLikeKernel>(has_dtype, dt, k);
}

MH_REGISTER_CPU_KERNEL(EyeLike, 9, exec::kMaxOpset, make_eye_like);

}  // namespace
}  // namespace modelhost::engine::cpu
