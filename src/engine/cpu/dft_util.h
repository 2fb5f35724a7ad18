// The discrete Fourier transform behind DFT and STFT: a direct O(L^2) transform in double with
// exact twiddle indices (j * k mod L), so that results do not drift for long signals.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

namespace modelhost::engine::cpu {

// cos / sin of -2 pi m / L (forward) or +2 pi m / L (inverse) for m in [0, L).
struct Twiddles {
  std::vector<double> re, im;
  Twiddles(int64_t length, bool inverse) : re(static_cast<size_t>(length)), im(re.size()) {
    const double sign = inverse ? 1.0 : -1.0;
    for (int64_t m = 0; m < length; ++m) {
      const double angle =
          sign * 2.0 * std::numbers::pi * static_cast<double>(m) / static_cast<double>(length);
      re[static_cast<size_t>(m)] = std::cos(angle);
      im[static_cast<size_t>(m)] = std::sin(angle);
    }
  }
};

// out[k] = scale * sum_{j < min(n, L)} in[j] * w^(j k) for k in [0, bins), where the input
// sample j is (in_re[j * stride], in_im[j * stride]) (in_im null for a real signal).
inline void dft_1d(const double* in_re, const double* in_im, int64_t n, int64_t stride,
                   const Twiddles& tw, int64_t bins, double scale, double* out_re, double* out_im) {
  const int64_t length = static_cast<int64_t>(tw.re.size());
  const int64_t used = n < length ? n : length;
  for (int64_t k = 0; k < bins; ++k) {
    double sr = 0.0, si = 0.0;
    int64_t m = 0;  // j * k mod L
    for (int64_t j = 0; j < used; ++j) {
      const double xr = in_re[j * stride];
      const double xi = in_im != nullptr ? in_im[j * stride] : 0.0;
      const double wr = tw.re[static_cast<size_t>(m)], wi = tw.im[static_cast<size_t>(m)];
      sr += xr * wr - xi * wi;
      si += xr * wi + xi * wr;
      m += k;
      if (m >= length) m %= length;
    }
    out_re[k] = sr * scale;
    out_im[k] = si * scale;
  }
}

}  // namespace modelhost::engine::cpu
