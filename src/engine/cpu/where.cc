// Where: condition ? x : y, elementwise, with numpy broadcasting across all three inputs. x and y
// may have any dtype (the same for both); the output has theirs.
#include <cstdint>
#include <vector>

#include "engine/cpu/compare.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

// Copies elements of E (an unsigned integer of the dtype's width) picked by the condition.
template <typename E>
void select(const exec::KernelContext& ctx, const Tensor& cond, const Tensor& x, const Tensor& y,
            Tensor& out) {
  const Shape& shape = out.shape();
  const std::vector<int64_t> sc = broadcast_strides(cond.shape(), shape);
  const std::vector<int64_t> sx = broadcast_strides(x.shape(), shape);
  const std::vector<int64_t> sy = broadcast_strides(y.shape(), shape);
  const size_t rank = shape.size();
  const int64_t inner = rank == 0 ? 1 : shape.back();
  const int64_t ic = rank == 0 ? 0 : sc.back(), ix = rank == 0 ? 0 : sx.back(),
                iy = rank == 0 ? 0 : sy.back();
  const int64_t rows = out.num_elements() / inner;
  const bool* c = cond.data<bool>();
  const E* px = x.data<E>();
  const E* py = y.data<E>();
  E* po = out.mutable_data<E>();
  exec::parallel_for(ctx, rows, std::max<int64_t>(1, (1 << 14) / inner), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      int64_t oc = 0, ox = 0, oy = 0, rest = r;
      for (size_t d = rank == 0 ? 0 : rank - 1; d-- > 0;) {
        const int64_t i = rest % shape[d];
        rest /= shape[d];
        oc += i * sc[d];
        ox += i * sx[d];
        oy += i * sy[d];
      }
      E* o = po + r * inner;
      for (int64_t k = 0; k < inner; ++k) {
        o[k] = c[oc + k * ic] ? px[ox + k * ix] : py[oy + k * iy];
      }
    }
  });
}

class WhereKernel final : public exec::Kernel {
 public:
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    static constexpr DataType kCond[] = {DataType::kBool};
    RETURN_IF_ERROR(exec::check_dtype(inputs[0], 0, "Where", kCond));
    return exec::propagate_dtype(inputs, outputs, 1, 2);
  }
  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& cond = *inputs[0];
    const Tensor& x = *inputs[1];
    const Tensor& y = *inputs[2];
    RETURN_IF_ERROR(exec::check_dtype(cond, 0, "Where", {DataType::kBool}));
    RETURN_IF_ERROR(exec::check_same_dtype(x, y));
    ASSIGN_OR_RETURN(Shape s1, broadcast_shape(cond.shape(), x.shape()));
    ASSIGN_OR_RETURN(Shape shape, broadcast_shape(s1, y.shape()));
    const size_t width = dtype_size(x.dtype());
    RETURN_IF_ERROR(checked_num_elements(shape, width).status());
    Tensor out = Tensor::allocate(x.dtype(), shape);
    if (out.num_elements() > 0) {
      switch (width) {
        case 1:
          select<uint8_t>(ctx, cond, x, y, out);
          break;
        case 2:
          select<uint16_t>(ctx, cond, x, y, out);
          break;
        case 4:
          select<uint32_t>(ctx, cond, x, y, out);
          break;
        case 8:
          select<uint64_t>(ctx, cond, x, y, out);
          break;
        default:
          return invalid_argument("Where does not support dtype " +
                                  std::string(dtype_name(x.dtype())));
      }
    }
    outputs[0] = std::move(out);
    return Status::ok_status();
  }
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 3, 3));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return exec::make_kernel<WhereKernel>();
}

MH_REGISTER_CPU_KERNEL(Where, 9, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu
