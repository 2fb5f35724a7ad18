// Pad: grows (or, with negative pads, crops) each dim by pads[begin_d] before and pads[end_d]
// after, filling in constant, reflect, edge or wrap (opset 19+) mode. Before opset 11 pads,
// value (float) and mode are attributes; from 11 pads (int64) and the optional scalar
// constant_value are inputs, and from 18 an optional axes input limits which dims pads covers.
#include <cstdlib>
#include <cstring>

#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

enum class PadMode { kConstant, kReflect, kEdge, kWrap };

class PadKernel final : public exec::Kernel {
 public:
  PadKernel(PadMode mode, bool attrs, std::vector<int64_t> pads, float value)
      : mode_(mode), attrs_(attrs), pads_(std::move(pads)), value_(value) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const int64_t rank = x.rank();
    const size_t elem = dtype_size(x.dtype());
    std::vector<int64_t> pads = pads_;
    std::vector<uint8_t> fill(elem, 0);
    if (attrs_) {
      if (value_ != 0.0f) {
        RETURN_IF_ERROR(visit_numeric(x.dtype(), [&]<typename N>() {
          const auto v = N::store(static_cast<typename N::Acc>(value_));
          std::memcpy(fill.data(), &v, elem);
          return Status::ok_status();
        }));
      }
    } else {
      ASSIGN_OR_RETURN(pads, read_int_tensor(*inputs[1], 1, "Pad"));
      if (inputs.size() > 2 && inputs[2] != nullptr) {
        const Tensor& cv = *inputs[2];
        if (cv.dtype() != x.dtype() || cv.num_elements() != 1) {
          return invalid_argument("constant_value must be one " + std::string(dtype_name(x.dtype())) +
                                  " element");
        }
        std::memcpy(fill.data(), cv.raw_data(), elem);
      }
      if (inputs.size() > 3 && inputs[3] != nullptr) {
        ASSIGN_OR_RETURN(std::vector<int64_t> axes, read_int_tensor(*inputs[3], 3, "Pad"));
        ASSIGN_OR_RETURN(axes, normalize_axes(axes, rank));
        if (pads.size() != 2 * axes.size()) {
          return invalid_argument("pads " + shape_to_string(pads) + " needs two entries per axis in " +
                                  shape_to_string(axes));
        }
        std::vector<int64_t> full(2 * static_cast<size_t>(rank), 0);
        for (size_t i = 0; i < axes.size(); ++i) {
          full[static_cast<size_t>(axes[i])] = pads[i];
          full[static_cast<size_t>(axes[i] + rank)] = pads[i + axes.size()];
        }
        pads = std::move(full);
      }
    }
    if (static_cast<int64_t>(pads.size()) != 2 * rank) {
      return invalid_argument("pads " + shape_to_string(pads) + " needs two entries per dim of " +
                              shape_to_string(x.shape()));
    }
    Shape out(static_cast<size_t>(rank));
    std::vector<std::vector<int64_t>> maps(out.size());
    for (size_t d = 0; d < out.size(); ++d) {
      const int64_t n = x.shape()[d], before = pads[d], after = pads[d + out.size()];
      if (std::abs(before) > (int64_t{1} << 40) || std::abs(after) > (int64_t{1} << 40) ||
          n + before + after < 0) {
        return invalid_argument("pads " + shape_to_string(pads) + " do not fit " +
                                shape_to_string(x.shape()));
      }
      out[d] = n + before + after;
      if (n == 0 && out[d] > 0 && mode_ != PadMode::kConstant) {
        return invalid_argument("cannot pad an empty dim in this mode");
      }
    }
    RETURN_IF_ERROR(checked_num_elements(out, elem).status());
    for (size_t d = 0; d < out.size(); ++d) {
      const int64_t n = x.shape()[d], before = pads[d];
      maps[d].resize(static_cast<size_t>(out[d]));
      for (int64_t o = 0; o < out[d]; ++o) {
        int64_t c = o - before;
        if (c < 0 || c >= n) {
          switch (mode_) {
            case PadMode::kConstant: c = -1; break;
            case PadMode::kEdge: c = c < 0 ? 0 : n - 1; break;
            case PadMode::kWrap: c = ((c % n) + n) % n; break;
            case PadMode::kReflect:
              if (n == 1) {
                c = 0;
              } else {
                const int64_t period = 2 * (n - 1);
                c = ((c % period) + period) % period;
                if (c >= n) c = period - c;
              }
              break;
          }
        }
        maps[d][static_cast<size_t>(o)] = c;
      }
    }
    Tensor y = Tensor::allocate(x.dtype(), out);
    map_copy(static_cast<const uint8_t*>(x.raw_data()), strides_of(x.shape()), maps, out,
             static_cast<uint8_t*>(y.mutable_raw_data()), elem, fill.data());
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  PadMode mode_;
  bool attrs_;
  std::vector<int64_t> pads_;
  float value_;
};

Result<std::unique_ptr<exec::Kernel>> make_pad(const ir::Node& node) {
  const bool attrs = node.opset < 11;
  if (attrs) {
    RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
    RETURN_IF_ERROR(exec::check_attributes(node, {"pads", "value", "mode"}));
    if (!node.attributes.has("pads")) return invalid_argument("attribute \"pads\" is required");
  } else {
    RETURN_IF_ERROR(exec::check_arity(node, 2, node.opset >= 18 ? 4 : 3));
    RETURN_IF_ERROR(exec::check_attributes(node, {"mode"}));
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> pads, node.attributes.get_ints("pads", {}));
  ASSIGN_OR_RETURN(float value, node.attributes.get_float("value", 0.0f));
  ASSIGN_OR_RETURN(std::string mode, node.attributes.get_string("mode", "constant"));
  PadMode m;
  if (mode == "constant") {
    m = PadMode::kConstant;
  } else if (mode == "reflect") {
    m = PadMode::kReflect;
  } else if (mode == "edge") {
    m = PadMode::kEdge;
  } else if (mode == "wrap" && node.opset >= 19) {
    m = PadMode::kWrap;
  } else {
    return invalid_argument("mode \"" + mode + "\" is not supported at opset " +
                            std::to_string(node.opset));
  }
  return exec::make_kernel<PadKernel>(m, attrs, std::move(pads), value);
}

MH_REGISTER_CPU_KERNEL(Pad, 2, exec::kMaxOpset, make_pad);

}  // namespace
}  // namespace modelhost::engine::cpu
