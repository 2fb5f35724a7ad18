// LogSoftmax over float32 and float64, in its two ONNX definitions (as Softmax):
//  * opset 1..12: the input is coerced to 2-D at `axis` (default 1) and each row normalized;
//  * opset 13+: along the single dim `axis` (default -1).
#include <cmath>

#include "engine/cpu/softmax_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct LogSoftmaxRow {
  template <typename T>
  void operator()(const T* in, T* out, int64_t n, int64_t inner) const {
    double max = static_cast<double>(in[0]);
    for (int64_t i = 1; i < n; ++i) max = std::max(max, static_cast<double>(in[i * inner]));
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(in[i * inner]) - max);
    const double lse = max + std::log(sum);
    for (int64_t i = 0; i < n; ++i) {
      out[i * inner] = static_cast<T>(static_cast<double>(in[i * inner]) - lse);
    }
  }
};

Result<std::unique_ptr<exec::Kernel>> make_log_softmax_v1(const ir::Node& node) {
  return make_axis_row_kernel<LogSoftmaxRow>(node, "LogSoftmax", /*coerce_2d=*/true);
}
Result<std::unique_ptr<exec::Kernel>> make_log_softmax_v13(const ir::Node& node) {
  return make_axis_row_kernel<LogSoftmaxRow>(node, "LogSoftmax", /*coerce_2d=*/false);
}

MH_REGISTER_CPU_KERNEL(LogSoftmax, 1, 12, make_log_softmax_v1);
MH_REGISTER_CPU_KERNEL(LogSoftmax, 13, exec::kMaxOpset, make_log_softmax_v13);

}  // namespace
}  // namespace modelhost::engine::cpu
