// The engine's CUDA kernels against plain C++ references on the CPU (skipped without a GPU).
#include "engine/cuda/kernels.h"

#include <gtest/gtest.h>

#include <cmath>

#include "cuda/cuda_test_util.h"

namespace modelhost::engine::cuda {
namespace {

using testing::random_floats;
using testing::to_device;
using testing::to_host;
using testing::worst_error;

class CudaKernelsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MODELHOST_REQUIRE_GPU();
    auto s = Stream::create(0);
    ASSERT_TRUE(s.ok()) << s.status().to_string();
    stream_ = std::make_unique<Stream>(std::move(s).value());
  }
  cudaStream_t s() const { return stream_->get(); }
  std::unique_ptr<Stream> stream_;
};

float reference(float v, Activation act) {
  switch (act) {
    case Activation::kRelu:
      return v > 0 ? v : 0;
    case Activation::kGelu:
      return 0.5f * v * (1 + std::erf(v / std::sqrt(2.f)));
    case Activation::kSigmoid:
      return 1 / (1 + std::exp(-v));
    case Activation::kSilu:
      return v / (1 + std::exp(-v));
    case Activation::kTanh:
      return std::tanh(v);
    case Activation::kNone:
      break;
  }
  return v;
}

TEST_F(CudaKernelsTest, BiasAndEveryActivation) {
  const int64_t rows = 37, cols = 129;
  auto x = random_floats(rows * cols, -4, 4, 1);
  auto bias = random_floats(cols, -1, 1, 2);
  auto dx = to_device(x, s());
  auto db = to_device(bias, s());
  for (Activation act : {Activation::kNone, Activation::kRelu, Activation::kGelu,
                         Activation::kSigmoid, Activation::kSilu, Activation::kTanh}) {
    auto dy = DeviceBuffer::allocate(x.size() * 4);
    ASSERT_TRUE(dy.ok());
    ASSERT_TRUE(bias_activation_f32(static_cast<float*>(dx.data()), static_cast<float*>(db.data()),
                                    static_cast<float*>(dy->data()), rows, cols, act, s())
                    .ok());
    auto got = to_host<float>(*dy, x.size(), s());
    std::vector<float> want(x.size());
    for (size_t i = 0; i < x.size(); ++i) want[i] = reference(x[i] + bias[i % cols], act);
    EXPECT_LE(worst_error(got, want, 1e-5, 1e-5), 1.0) << static_cast<int>(act);
  }
}

TEST_F(CudaKernelsTest, SoftmaxRowsSumToOneAndMatch) {
  for (int64_t cols : {1, 7, 128, 1000, 4099}) {
    const int64_t rows = 5;
    auto x = random_floats(rows * cols, -20, 20, 3);
    auto dx = to_device(x, s());
    auto dy = DeviceBuffer::allocate(x.size() * 4);
    ASSERT_TRUE(softmax_rows_f32(static_cast<float*>(dx.data()), static_cast<float*>(dy->data()),
                                 rows, cols, s())
                    .ok());
    auto got = to_host<float>(*dy, x.size(), s());
    std::vector<float> want(x.size());
    for (int64_t r = 0; r < rows; ++r) {
      float m = -INFINITY;
      for (int64_t j = 0; j < cols; ++j) m = std::max(m, x[r * cols + j]);
      double sum = 0;
      for (int64_t j = 0; j < cols; ++j) sum += std::exp(x[r * cols + j] - m);
      for (int64_t j = 0; j < cols; ++j) {
        want[r * cols + j] = static_cast<float>(std::exp(x[r * cols + j] - m) / sum);
      }
    }
    EXPECT_LE(worst_error(got, want, 1e-6, 1e-4), 1.0) << cols;
  }
}

TEST_F(CudaKernelsTest, LayerNormWithResidualMatchesTheReference) {
  const int64_t rows = 64, cols = 768;
  auto x = random_floats(rows * cols, -3, 3, 4);
  auto res = random_floats(rows * cols, -1, 1, 5);
  auto gamma = random_floats(cols, 0.5, 1.5, 6);
  auto beta = random_floats(cols, -0.5, 0.5, 7);
  auto dx = to_device(x, s()), dr = to_device(res, s()), dg = to_device(gamma, s()),
       dbeta = to_device(beta, s());
  auto dy = DeviceBuffer::allocate(x.size() * 4);
  ASSERT_TRUE(layer_norm_f32(static_cast<float*>(dx.data()), static_cast<float*>(dr.data()),
                             static_cast<float*>(dg.data()), static_cast<float*>(dbeta.data()),
                             static_cast<float*>(dy->data()), rows, cols, 1e-12f, s())
                  .ok());
  auto got = to_host<float>(*dy, x.size(), s());
  std::vector<float> want(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    double mean = 0, var = 0;
    for (int64_t j = 0; j < cols; ++j) mean += x[r * cols + j] + res[r * cols + j];
    mean /= cols;
    for (int64_t j = 0; j < cols; ++j) {
      const double d = x[r * cols + j] + res[r * cols + j] - mean;
      var += d * d;
    }
    var /= cols;
    for (int64_t j = 0; j < cols; ++j) {
      want[r * cols + j] = static_cast<float>((x[r * cols + j] + res[r * cols + j] - mean) /
                                                  std::sqrt(var + 1e-12) * gamma[j] +
                                              beta[j]);
    }
  }
  EXPECT_LE(worst_error(got, want, 1e-4, 1e-4), 1.0);
}

TEST_F(CudaKernelsTest, TransposeAndConversions) {
  const int64_t rows = 67, cols = 45;
  auto x = random_floats(rows * cols, -2, 2, 8);
  auto dx = to_device(x, s());
  auto dy = DeviceBuffer::allocate(x.size() * 4);
  ASSERT_TRUE(transpose_f32(static_cast<float*>(dx.data()), static_cast<float*>(dy->data()), rows,
                            cols, s())
                  .ok());
  auto t = to_host<float>(*dy, x.size(), s());
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) ASSERT_EQ(t[c * rows + r], x[r * cols + c]);
  }
  auto half = DeviceBuffer::allocate(x.size() * 2);
  auto back = DeviceBuffer::allocate(x.size() * 4);
  ASSERT_TRUE(f32_to_f16(static_cast<float*>(dx.data()), static_cast<uint16_t*>(half->data()),
                         static_cast<int64_t>(x.size()), s())
                  .ok());
  ASSERT_TRUE(f16_to_f32(static_cast<uint16_t*>(half->data()), static_cast<float*>(back->data()),
                         static_cast<int64_t>(x.size()), s())
                  .ok());
  EXPECT_LE(worst_error(to_host<float>(*back, x.size(), s()), x, 1e-3, 1e-3), 1.0);
  ASSERT_TRUE(f32_to_bf16(static_cast<float*>(dx.data()), static_cast<uint16_t*>(half->data()),
                          static_cast<int64_t>(x.size()), s())
                  .ok());
  ASSERT_TRUE(bf16_to_f32(static_cast<uint16_t*>(half->data()), static_cast<float*>(back->data()),
                          static_cast<int64_t>(x.size()), s())
                  .ok());
  EXPECT_LE(worst_error(to_host<float>(*back, x.size(), s()), x, 1e-2, 1e-2), 1.0);
}

}  // namespace
}  // namespace modelhost::engine::cuda
