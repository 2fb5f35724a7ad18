// HammingWindow (opset 17+): w[n] = 25/46 - 21/46 cos(2 pi n / N1) (see window_util.h).
#include <cmath>
#include <numbers>

#include "engine/cpu/window_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

constexpr double kPi = std::numbers::pi;

struct Hamming {
  static double value(double n, double n1) {
    constexpr double kAlpha = 25.0 / 46.0;
    return kAlpha - (1.0 - kAlpha) * std::cos(2.0 * kPi * n / n1);
  }
};

MH_REGISTER_CPU_KERNEL(HammingWindow, 17, exec::kMaxOpset,
                       window_factory<Hamming>("HammingWindow"));

}  // namespace
}  // namespace modelhost::engine::cpu
