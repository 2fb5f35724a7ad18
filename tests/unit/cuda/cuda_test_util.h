// Shared by the CUDA tests: skip without a device, a stream, and device copies of host vectors.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "engine/cuda/runtime.h"

namespace modelhost::engine::cuda::testing {

// Skips the test (with the reason) on a machine without a usable CUDA device.
#define MODELHOST_REQUIRE_GPU()                                                    \
  do {                                                                             \
    std::string _why;                                                              \
    if (::modelhost::engine::cuda::device_count(&_why) == 0) GTEST_SKIP() << _why; \
  } while (0)

inline std::vector<float> random_floats(size_t n, float lo, float hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

template <typename T>
DeviceBuffer to_device(const std::vector<T>& host, cudaStream_t stream) {
  auto buf = DeviceBuffer::allocate(host.size() * sizeof(T));
  EXPECT_TRUE(buf.ok()) << buf.status().to_string();
  EXPECT_TRUE(buf->upload(host.data(), host.size() * sizeof(T), stream).ok());
  return std::move(buf).value();
}

template <typename T>
std::vector<T> to_host(const DeviceBuffer& buf, size_t n, cudaStream_t stream) {
  std::vector<T> host(n);
  Status st = buf.download(host.data(), n * sizeof(T), stream);
  EXPECT_TRUE(st.ok()) << st.to_string();
  return host;
}

// Largest |a - b| / (atol + rtol * |b|) over the elements; <= 1 means within tolerance.
inline double worst_error(const std::vector<float>& got, const std::vector<float>& want,
                          double atol, double rtol) {
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double e =
        std::abs(static_cast<double>(got[i]) - want[i]) / (atol + rtol * std::abs(want[i]));
    worst = std::max(worst, std::isnan(e) ? 1e30 : e);
  }
  return worst;
}

}  // namespace modelhost::engine::cuda::testing
