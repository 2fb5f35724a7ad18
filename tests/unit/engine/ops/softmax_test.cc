#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

// softmax([1,2,3]) = [0.0900306, 0.2447285, 0.6652409]
constexpr float kS0 = 0.0900306f, kS1 = 0.2447285f, kS2 = 0.6652409f;

TEST(EngineSoftmaxTest, Opset13DefaultsToLastAxis) {
  Tensor y = OpCase("Softmax", 13)
                 .input(Tensor::from_vector<float>({2, 3}, F{1, 2, 3, 1, 2, 3}))
                 .run_one();
  expect_float_tensor(y, {2, 3}, {kS0, kS1, kS2, kS0, kS1, kS2});
}

TEST(EngineSoftmaxTest, Opset13SingleAxis) {
  // Along axis 1 of [2,3,2]: the middle dim, each (batch, last) column separately.
  std::vector<float> x = {1, 1, 2, 1, 3, 1, 3, 0, 2, 0, 1, 0};
  Tensor y = OpCase("Softmax", 13)
                 .attr("axis", int64_t{1})
                 .input(Tensor::from_vector<float>({2, 3, 2}, x))
                 .run_one();
  const float t = 1.0f / 3.0f;
  expect_float_tensor(y, {2, 3, 2}, {kS0, t, kS1, t, kS2, t, kS2, t, kS1, t, kS0, t});
}

TEST(EngineSoftmaxTest, Opset11CoercesTo2DAtDefaultAxisOne) {
  // [1,2,2] coerced to [1,4] at axis 1: one softmax over all four values.
  Tensor y =
      OpCase("Softmax", 11).input(Tensor::from_vector<float>({1, 2, 2}, F{0, 0, 0, 0})).run_one();
  expect_float_tensor(y, {1, 2, 2}, {0.25f, 0.25f, 0.25f, 0.25f});
  // The same input at opset 13 (axis -1): two softmaxes of two values.
  Tensor z =
      OpCase("Softmax", 13).input(Tensor::from_vector<float>({1, 2, 2}, F{0, 0, 0, 0})).run_one();
  expect_float_tensor(z, {1, 2, 2}, {0.5f, 0.5f, 0.5f, 0.5f});
}

TEST(EngineSoftmaxTest, Opset11NegativeAxis) {
  // axis -1 on [3,1,3] coerces to [3,3] rows.
  std::vector<float> x = {1, 2, 3, 1, 2, 3, 1, 2, 3};
  Tensor y = OpCase("Softmax", 11)
                 .attr("axis", int64_t{-1})
                 .input(Tensor::from_vector<float>({3, 1, 3}, x))
                 .run_one();
  expect_float_tensor(y, {3, 1, 3}, {kS0, kS1, kS2, kS0, kS1, kS2, kS0, kS1, kS2});
}

TEST(EngineSoftmaxTest, LargeValuesStayFinite) {
  Tensor y = OpCase("Softmax").input(Tensor::from_vector<float>({2}, F{1000, 1000})).run_one();
  expect_float_tensor(y, {2}, {0.5f, 0.5f});
}

TEST(EngineSoftmaxTest, LongRowsComputedInPlaceMatchTheDefinition) {
  // Rows of 37 (vector body and scalar tail) after a Relu whose buffer Softmax may reuse.
  constexpr int64_t kRows = 56, kCols = 37;  // 8288 bytes
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {kRows, kCols}).output("y", DataType::kFloat32, {kRows, kCols});
  b.node("Relu", {"x"}, {"r"});
  b.node("Softmax", {"r"}, {"y"});
  auto s = load(b);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  F x(kRows * kCols);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 7919) % 97) / 9.f - 3.f;
  std::vector<Tensor> in = {Tensor::from_vector<float>({kRows, kCols}, x)};
  auto out = (*s)->run(in);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  const float* y = (*out)[0].data<float>();
  for (int64_t r = 0; r < kRows; ++r) {
    double mx = 0, sum = 0;
    for (int64_t c = 0; c < kCols; ++c) mx = std::max<double>(mx, std::max(0.f, x[r * kCols + c]));
    for (int64_t c = 0; c < kCols; ++c) sum += std::exp(std::max(0.f, x[r * kCols + c]) - mx);
    for (int64_t c = 0; c < kCols; ++c) {
      const double want = std::exp(std::max(0.f, x[r * kCols + c]) - mx) / sum;
      ASSERT_NEAR(y[r * kCols + c], want, 1e-6 * want + 1e-9) << r << "," << c;
    }
  }
  EXPECT_EQ((*s)->memory_stats().peak_arena_bytes, 8320u);  // one buffer, 64-byte rounded
}

}  // namespace
}  // namespace modelhost::engine::testing
