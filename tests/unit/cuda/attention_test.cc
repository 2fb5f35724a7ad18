// Attention (two batched cuBLASLt GEMMs around the masked softmax) and CUDA Graph capture and
// replay, against CPU references (skipped without a GPU).
#include "engine/cuda/attention.h"

#include <gtest/gtest.h>

#include <cmath>

#include "cuda/cuda_test_util.h"
#include "engine/cuda/graph.h"
#include "engine/cuda/kernels.h"

namespace modelhost::engine::cuda {
namespace {

using testing::random_floats;
using testing::to_device;
using testing::to_host;
using testing::worst_error;

TEST(CudaAttentionTest, MatchesTheReferenceWithAPaddingMask) {
  MODELHOST_REQUIRE_GPU();
  auto stream = Stream::create(0);
  ASSERT_TRUE(stream.ok());
  cudaStream_t s = stream->get();
  auto gemm = LtGemm::create();
  ASSERT_TRUE(gemm.ok());
  const int64_t B = 2, H = 12, S = 24, D = 64;
  auto q = random_floats(B * H * S * D, -1, 1, 31);
  auto k = random_floats(B * H * S * D, -1, 1, 32);
  auto v = random_floats(B * H * S * D, -1, 1, 33);
  std::vector<float> mask(B * S, 0.f);
  for (int64_t j = 20; j < S; ++j) mask[1 * S + j] = -10000.f;  // the second sequence is padded
  auto dq = to_device(q, s), dk = to_device(k, s), dv = to_device(v, s), dm = to_device(mask, s);
  auto scores = DeviceBuffer::allocate(B * H * S * S * 4);
  auto out = DeviceBuffer::allocate(q.size() * 4);
  AttentionArgs a{B,
                  H,
                  S,
                  D,
                  static_cast<float*>(dq.data()),
                  static_cast<float*>(dk.data()),
                  static_cast<float*>(dv.data()),
                  static_cast<float*>(dm.data()),
                  static_cast<float*>(scores->data()),
                  static_cast<float*>(out->data()),
                  0.f};
  Status st = attention_f32(*gemm, a, Precision::kFp32, s);
  ASSERT_TRUE(st.ok()) << st.to_string();
  auto got = to_host<float>(*out, q.size(), s);
  std::vector<float> want(q.size());
  const double scale = 1 / std::sqrt(static_cast<double>(D));
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t h = 0; h < H; ++h) {
      const int64_t base = (b * H + h) * S * D;
      for (int64_t i = 0; i < S; ++i) {
        std::vector<double> p(S);
        double mx = -1e300, sum = 0;
        for (int64_t j = 0; j < S; ++j) {
          double dot = 0;
          for (int64_t t = 0; t < D; ++t) dot += q[base + i * D + t] * k[base + j * D + t];
          p[j] = dot * scale + mask[b * S + j];
          mx = std::max(mx, p[j]);
        }
        for (auto& x : p) sum += (x = std::exp(x - mx));
        for (int64_t t = 0; t < D; ++t) {
          double acc = 0;
          for (int64_t j = 0; j < S; ++j) acc += p[j] / sum * v[base + j * D + t];
          want[base + i * D + t] = static_cast<float>(acc);
        }
      }
    }
  }
  EXPECT_LE(worst_error(got, want, 1e-4, 1e-3), 1.0);
}

TEST(CudaGraphTest, ACapturedRunReplaysWithNewInputs) {
  MODELHOST_REQUIRE_GPU();
  auto stream = Stream::create(0);
  ASSERT_TRUE(stream.ok());
  cudaStream_t s = stream->get();
  const int64_t rows = 8, cols = 100;
  auto x = random_floats(rows * cols, -3, 3, 41);
  auto dx = to_device(x, s);
  auto dy = DeviceBuffer::allocate(x.size() * 4);
  auto graph = CapturedGraph::capture(s, [&]() -> Status {
    RETURN_IF_ERROR(bias_activation_f32(static_cast<float*>(dx.data()), nullptr,
                                        static_cast<float*>(dy->data()), rows, cols,
                                        Activation::kRelu, s));
    return softmax_rows_f32(static_cast<float*>(dy->data()), static_cast<float*>(dy->data()), rows,
                            cols, s);
  });
  ASSERT_TRUE(graph.ok()) << graph.status().to_string();
  EXPECT_EQ(graph->nodes(), 2u);
  // Capturing ran nothing; replays run on whatever the input buffer holds then.
  for (uint32_t seed : {42u, 43u}) {
    x = random_floats(x.size(), -3, 3, seed);
    ASSERT_TRUE(dx.upload(x.data(), x.size() * 4, s).ok());
    ASSERT_TRUE(graph->replay(s).ok());
    auto got = to_host<float>(*dy, x.size(), s);
    std::vector<float> want(x.size());
    for (int64_t r = 0; r < rows; ++r) {
      double mx = 0, sum = 0;
      for (int64_t j = 0; j < cols; ++j) mx = std::max<double>(mx, std::max(0.f, x[r * cols + j]));
      for (int64_t j = 0; j < cols; ++j) sum += std::exp(std::max(0.f, x[r * cols + j]) - mx);
      for (int64_t j = 0; j < cols; ++j) {
        want[r * cols + j] =
            static_cast<float>(std::exp(std::max(0.f, x[r * cols + j]) - mx) / sum);
      }
    }
    EXPECT_LE(worst_error(got, want, 1e-6, 1e-4), 1.0) << seed;
  }
}

}  // namespace
}  // namespace modelhost::engine::cuda
