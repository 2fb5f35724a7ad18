// Hardmax over float32 and float64: 1 at the first maximum of each row, 0 elsewhere, with the
// two ONNX definitions of a row (as Softmax): opset 1..12 coerces the input to 2-D at `axis`
// (default 1); opset 13+ works along the single dim `axis` (default -1).
#include "engine/cpu/softmax_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct HardmaxRow {
  template <typename T>
  void operator()(const T* in, T* out, int64_t n, int64_t inner) const {
    int64_t best = 0;
    for (int64_t i = 1; i < n; ++i) {
      if (in[i * inner] > in[best * inner]) best = i;
    }
    for (int64_t i = 0; i < n; ++i) out[i * inner] = i == best ? T(1) : T(0);
  }
};

Result<std::unique_ptr<exec::Kernel>> make_hardmax_v1(const ir::Node& node) {
  return make_axis_row_kernel<HardmaxRow>(node, "Hardmax", /*coerce_2d=*/true);
}
Result<std::unique_ptr<exec::Kernel>> make_hardmax_v13(const ir::Node& node) {
  return make_axis_row_kernel<HardmaxRow>(node, "Hardmax", /*coerce_2d=*/false);
}

MH_REGISTER_CPU_KERNEL(Hardmax, 1, 12, make_hardmax_v1);
MH_REGISTER_CPU_KERNEL(Hardmax, 13, exec::kMaxOpset, make_hardmax_v13);

}  // namespace
}  // namespace modelhost::engine::cpu
