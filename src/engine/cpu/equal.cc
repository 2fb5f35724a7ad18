// Equal: bool output, a == b; every numeric dtype and bool, with numpy broadcasting.
#include "engine/cpu/compare.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct EqualOp {
  template <typename T>
  bool operator()(T a, T b) const {
    return a == b;
  }
};

MH_REGISTER_CPU_KERNEL(Equal, 7, exec::kMaxOpset,
                       (broadcast_binary_factory<EqualOp, bool>("Equal", numeric_types(true))));

}  // namespace
}  // namespace modelhost::engine::cpu
