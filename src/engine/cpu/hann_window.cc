// HannWindow (opset 17+): w[n] = sin^2(pi n / N1) (see window_util.h).
#include <cmath>
#include <numbers>

#include "engine/cpu/window_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

constexpr double kPi = std::numbers::pi;

struct Hann {
  static double value(double n, double n1) {
    const double s = std::sin(kPi * n / n1);
    return s * s;
  }
};

MH_REGISTER_CPU_KERNEL(HannWindow, 17, exec::kMaxOpset, window_factory<Hann>("HannWindow"));

}  // namespace
}  // namespace modelhost::engine::cpu
