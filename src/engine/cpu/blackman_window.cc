// BlackmanWindow (opset 17+): w[n] = 0.42 - 0.5 cos(2 pi n / N1) + 0.08 cos(4 pi n / N1) (see
// window_util.h).
#include <cmath>
#include <numbers>

#include "engine/cpu/window_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

constexpr double kPi = std::numbers::pi;

struct Blackman {
  static double value(double n, double n1) {
    return 0.42 - 0.5 * std::cos(2.0 * kPi * n / n1) + 0.08 * std::cos(4.0 * kPi * n / n1);
  }
};

MH_REGISTER_CPU_KERNEL(BlackmanWindow, 17, exec::kMaxOpset,
                       window_factory<Blackman>("BlackmanWindow"));

}  // namespace
}  // namespace modelhost::engine::cpu
