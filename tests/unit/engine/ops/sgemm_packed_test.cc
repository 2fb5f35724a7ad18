#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <vector>

#include "common/thread_pool.h"
#include "engine/cpu/sgemm_packed.h"

namespace modelhost::engine {
namespace {

Tensor random_matrix(int64_t rows, int64_t cols, uint32_t seed) {
  Tensor t = Tensor::allocate(DataType::kFloat32, {rows, cols});
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.mutable_data<float>()[i] = dist(rng);
  return t;
}

TEST(EngineSgemmPackedTest, PackWeightLaysColumnsOutInZeroPaddedStripsOf16) {
  Tensor b = random_matrix(3, 20, 1);  // K = 3, N = 20: two strips, the second 4 wide
  Tensor p = cpu::pack_weight(b);
  ASSERT_EQ(p.shape(), (Shape{2, 3, 16}));
  const float* bp = b.data<float>();
  const float* pp = p.data<float>();
  for (int64_t s = 0; s < 2; ++s) {
    for (int64_t k = 0; k < 3; ++k) {
      for (int64_t j = 0; j < 16; ++j) {
        const int64_t col = s * 16 + j;
        const float want = col < 20 ? bp[k * 20 + col] : 0.f;
        EXPECT_EQ(pp[(s * 3 + k) * 16 + j], want) << s << " " << k << " " << j;
      }
    }
  }
}

// Shapes around every edge of the kernel: rows not a multiple of the 6-row tile, columns not a
// multiple of a strip, K across the 256-deep blocks (and K = 0), and sizes large enough to go
// parallel; each with and without bias, residual and activation.
TEST(EngineSgemmPackedTest, ComputesTheProductAndEpilogueForEveryEdgeShape) {
  ThreadPool pool(1);
  const std::vector<std::array<int64_t, 3>> shapes = {
      {1, 1, 1},    {5, 15, 7},    {6, 16, 256}, {7, 17, 257}, {13, 33, 100},
      {128, 48, 64}, {250, 70, 300}, {481, 20, 9},  {2, 1000, 40}, {3, 5, 0}};
  cpu::Activation relu;
  relu.kind = cpu::Activation::Kind::kRelu;
  uint32_t seed = 10;
  for (const auto& [m, n, k] : shapes) {
    for (int variant = 0; variant < 8; ++variant) {
      ThreadPool* p = variant % 2 ? &pool : nullptr;
      const bool epilogue = variant % 4 >= 2;
      const bool portable = variant >= 4;
      cpu::sgemm_packed_force_portable(portable);
      Tensor a = random_matrix(m, k, ++seed);
      Tensor b = random_matrix(k, n, ++seed);
      Tensor bias = random_matrix(1, n, ++seed);
      Tensor z = random_matrix(m, n, ++seed);
      std::vector<float> c(static_cast<size_t>(m * n), 123.f);  // overwritten, not added to
      cpu::GemmEpilogue ep;
      if (epilogue) ep = {bias.data<float>(), z.data<float>(), &relu};
      cpu::sgemm_packed(m, n, k, a.data<float>(), cpu::pack_weight(b).data<float>(), c.data(),
                        exec::KernelContext{p}, ep);
      cpu::sgemm_packed_force_portable(false);
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) {
          double want = 0;
          for (int64_t q = 0; q < k; ++q) {
            want += double(a.data<float>()[i * k + q]) * double(b.data<float>()[q * n + j]);
          }
          if (epilogue) {
            want = std::max(0.0, want + bias.data<float>()[j] + z.data<float>()[i * n + j]);
          }
          ASSERT_NEAR(c[i * n + j], want, 1e-4 * std::sqrt(double(k)) + 1e-5)
              << m << "x" << n << "x" << k << " at " << i << "," << j
              << (p ? " with the pool" : " inline") << (epilogue ? ", bias + Z + Relu" : "") << (portable ? ", portable kernel" : "");
        }
      }
    }
  }
}

}  // namespace
}  // namespace modelhost::engine
