// MeanVarianceNormalization (opset 9..21): Y = (X - mean) / (sqrt(E[X^2] - mean^2) + 1e-9), the
// statistics over `axes` (default [0, 2, 3]), as in the op's ONNX function body. float32, float64.
#include <cmath>

#include "engine/cpu/reduce_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

template <typename T>
void mvn(const T* x, T* y, const Shape& shape, const std::vector<bool>& reduced) {
  const size_t rank = shape.size();
  int64_t total = 1;
  for (int64_t d : shape) total *= d;
  // Output (statistics) index of each input position: kept dims in order.
  std::vector<int64_t> kept_stride(rank, 0);
  int64_t st = 1;
  for (size_t d = rank; d-- > 0;) {
    if (!reduced[d]) {
      kept_stride[d] = st;
      st *= shape[d];
    }
  }
  const int64_t groups = st;
  const double count = static_cast<double>(total / std::max<int64_t>(groups, 1));
  std::vector<double> sum(static_cast<size_t>(groups), 0.0), sq(static_cast<size_t>(groups), 0.0);
  std::vector<int64_t> gidx(static_cast<size_t>(total));
  std::vector<int64_t> idx(rank, 0);
  for (int64_t i = 0; i < total; ++i) {
    int64_t g = 0;
    for (size_t d = 0; d < rank; ++d) g += idx[d] * kept_stride[d];
    gidx[static_cast<size_t>(i)] = g;
    const double v = static_cast<double>(x[i]);
    sum[static_cast<size_t>(g)] += v;
    sq[static_cast<size_t>(g)] += v * v;
    for (size_t d = rank; d-- > 0;) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  for (int64_t g = 0; g < groups; ++g) {
    const double m = sum[static_cast<size_t>(g)] / count;
    const double var = sq[static_cast<size_t>(g)] / count - m * m;
    sum[static_cast<size_t>(g)] = m;
    sq[static_cast<size_t>(g)] = std::sqrt(std::max(var, 0.0)) + 1e-9;
  }
  for (int64_t i = 0; i < total; ++i) {
    const size_t g = static_cast<size_t>(gidx[static_cast<size_t>(i)]);
    y[i] = static_cast<T>((static_cast<double>(x[i]) - sum[g]) / sq[g]);
  }
}

class MvnKernel final : public exec::Kernel {
 public:
  explicit MvnKernel(std::vector<int64_t> axes) : axes_(std::move(axes)) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    RETURN_IF_ERROR(exec::check_dtype(x, 0, "MeanVarianceNormalization",
                                      {DataType::kFloat32, DataType::kFloat64}));
    ASSIGN_OR_RETURN(std::vector<int64_t> axes,
                     normalize_axes(axes_, std::max<int64_t>(x.rank(), 1)));
    std::vector<bool> reduced(static_cast<size_t>(x.rank()), false);
    for (int64_t a : axes) {
      if (a < x.rank()) reduced[static_cast<size_t>(a)] = true;
    }
    Tensor y = Tensor::allocate(x.dtype(), x.shape());
    if (x.num_elements() > 0) {
      if (x.dtype() == DataType::kFloat32) {
        mvn(x.data<float>(), y.mutable_data<float>(), x.shape(), reduced);
      } else {
        mvn(x.data<double>(), y.mutable_data<double>(), x.shape(), reduced);
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  std::vector<int64_t> axes_;
};

Result<std::unique_ptr<exec::Kernel>> make_mvn(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"axes"}));
  ASSIGN_OR_RETURN(std::vector<int64_t> axes, node.attributes.get_ints("axes", {0, 2, 3}));
  return exec::make_kernel<MvnKernel>(std::move(axes));
}

MH_REGISTER_CPU_KERNEL(MeanVarianceNormalization, 9, exec::kMaxOpset, make_mvn);

}  // namespace
}  // namespace modelhost::engine::cpu
