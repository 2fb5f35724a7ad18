// cuBLASLt GEMM against a double-precision CPU reference, in every precision, with the fused bias
// and activation epilogues (skipped without a GPU). Tolerances: tight for fp32, looser for TF32
// (10-bit mantissa inputs) and fp16/bf16 (inputs and output rounded).
#include "engine/cuda/gemm.h"

#include <gtest/gtest.h>

#include <cmath>

#include "cuda/cuda_test_util.h"

namespace modelhost::engine::cuda {
namespace {

using testing::random_floats;
using testing::to_device;
using testing::to_host;
using testing::worst_error;

struct Case {
  int64_t m, n, k;
  bool bias;
  Activation act;
  bool b_transposed;
};

class CudaGemmTest : public ::testing::TestWithParam<Precision> {};

TEST_P(CudaGemmTest, MatchesTheReference) {
  MODELHOST_REQUIRE_GPU();
  const Precision p = GetParam();
  auto stream = Stream::create(0);
  ASSERT_TRUE(stream.ok());
  cudaStream_t s = stream->get();
  auto gemm = LtGemm::create();
  ASSERT_TRUE(gemm.ok()) << gemm.status().to_string();
  const double tol = p == Precision::kFp32 ? 1e-4 : p == Precision::kTf32 ? 5e-3 : 2e-2;
  for (const Case& c : {Case{1, 768, 768, true, Activation::kGelu, true},
                        Case{128, 3072, 768, true, Activation::kNone, true},
                        Case{33, 65, 17, false, Activation::kRelu, false},
                        Case{256, 1000, 2048, true, Activation::kNone, false}}) {
    auto a = random_floats(c.m * c.k, -1, 1, 11);
    auto b = random_floats(c.k * c.n, -1, 1, 12);  // [k, n], or [n, k] when transposed
    auto bias = random_floats(c.n, -1, 1, 13);
    std::vector<float> want(c.m * c.n);
    for (int64_t i = 0; i < c.m; ++i) {
      for (int64_t j = 0; j < c.n; ++j) {
        double acc = c.bias ? bias[j] : 0.0;
        for (int64_t t = 0; t < c.k; ++t) {
          acc += static_cast<double>(a[i * c.k + t]) *
                 (c.b_transposed ? b[j * c.k + t] : b[t * c.n + j]);
        }
        float v = static_cast<float>(acc);
        if (c.act == Activation::kRelu) v = v > 0 ? v : 0;
        if (c.act == Activation::kGelu)
          v = 0.5f * v * (1 + std::tanh(0.7978845608f * (v + 0.044715f * v * v * v)));
        want[i * c.n + j] = v;
      }
    }
    auto da = to_device(a, s), db = to_device(b, s), dbias = to_device(bias, s);
    const size_t elem = p == Precision::kFp16 || p == Precision::kBf16 ? 2 : 4;
    auto dd = DeviceBuffer::allocate(want.size() * elem);
    ASSERT_TRUE(dd.ok());
    // 16-bit precisions: the operands are converted on the device first.
    DeviceBuffer a16 = std::move(DeviceBuffer::allocate(a.size() * 2)).value();
    DeviceBuffer b16 = std::move(DeviceBuffer::allocate(b.size() * 2)).value();
    const void* pa = da.data();
    const void* pb = db.data();
    if (elem == 2) {
      auto conv = p == Precision::kFp16 ? f32_to_f16 : f32_to_bf16;
      ASSERT_TRUE(conv(static_cast<float*>(da.data()), static_cast<uint16_t*>(a16.data()),
                       static_cast<int64_t>(a.size()), s)
                      .ok());
      ASSERT_TRUE(conv(static_cast<float*>(db.data()), static_cast<uint16_t*>(b16.data()),
                       static_cast<int64_t>(b.size()), s)
                      .ok());
      pa = a16.data();
      pb = b16.data();
    }
    GemmArgs g{c.m,
               c.n,
               c.k,
               pa,
               pb,
               dd->data(),
               c.bias ? static_cast<const float*>(dbias.data()) : nullptr,
               c.act,
               c.b_transposed};
    Status st = gemm->run(g, p, s);
    ASSERT_TRUE(st.ok()) << st.to_string() << " m=" << c.m << " n=" << c.n << " k=" << c.k;
    std::vector<float> got;
    if (elem == 2) {
      auto back = DeviceBuffer::allocate(want.size() * 4);
      auto conv = p == Precision::kFp16 ? f16_to_f32 : bf16_to_f32;
      ASSERT_TRUE(conv(static_cast<uint16_t*>(dd->data()), static_cast<float*>(back->data()),
                       static_cast<int64_t>(want.size()), s)
                      .ok());
      got = to_host<float>(*back, want.size(), s);
    } else {
      got = to_host<float>(*dd, want.size(), s);
    }
    // cuBLASLt's GELU epilogue is the tanh form; the reference above uses it too.
    EXPECT_LE(worst_error(got, want, tol * std::sqrt(static_cast<double>(c.k)), tol), 1.0)
        << precision_name(p) << " m=" << c.m << " n=" << c.n << " k=" << c.k;
  }
}

INSTANTIATE_TEST_SUITE_P(Precisions, CudaGemmTest,
                         ::testing::Values(Precision::kFp32, Precision::kTf32, Precision::kFp16,
                                           Precision::kBf16),
                         [](const auto& info) { return std::string(precision_name(info.param)); });

}  // namespace
}  // namespace modelhost::engine::cuda
