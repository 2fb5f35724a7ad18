#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
constexpr int64_t kOpset = 23;

TEST(EngineRmsNormalizationTest, LastAxisWithScale) {
  Tensor y = OpCase("RMSNormalization", kOpset)
                 .input(Tensor::from_vector<float>({2, 4}, F{1, 2, 3, 4, -1, 0, 1, 2}))
                 .weight(Tensor::from_vector<float>({4}, F{1, 2, 1, 0.5f}))
                 .run_one();
  expect_float_tensor(y, {2, 4},
                      {0.36514813f, 1.4605925f, 1.0954444f, 0.73029625f, -0.81649387f, 0.0f,
                       0.81649387f, 0.81649387f});
}

TEST(EngineRmsNormalizationTest, AxisZeroNormalizesEverything) {
  Tensor y = OpCase("RMSNormalization", kOpset)
                 .input(Tensor::from_vector<float>({2, 4}, F{1, 2, 3, 4, -1, 0, 1, 2}))
                 .input(Tensor::from_vector<float>({1}, F{2}))
                 .attr("axis", int64_t{0})
                 .attr("epsilon", 0.0f)
                 .run_one();
  expect_float_tensor(
      y, {2, 4},
      {0.9428091f, 1.8856182f, 2.8284273f, 3.7712364f, -0.9428091f, 0.0f, 0.9428091f, 1.8856182f});
}

TEST(EngineRmsNormalizationTest, Float64) {
  Tensor y = OpCase("RMSNormalization", kOpset)
                 .input(Tensor::from_vector<double>({1, 2}, {3.0, 4.0}))
                 .input(Tensor::from_vector<double>({2}, {1.0, 1.0}))
                 .attr("epsilon", 0.0f)
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  // rms = sqrt((9 + 16) / 2)
  EXPECT_NEAR(y.data<double>()[0], 3.0 / std::sqrt(12.5), 1e-12);
  EXPECT_NEAR(y.data<double>()[1], 4.0 / std::sqrt(12.5), 1e-12);
}

TEST(EngineRmsNormalizationTest, ScaleThatDoesNotBroadcastIsAnError) {
  auto r = OpCase("RMSNormalization", kOpset)
               .input(Tensor::from_vector<float>({2, 4}, F(8, 1.0f)))
               .input(Tensor::from_vector<float>({3}, F{1, 1, 1}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Scale [3] does not broadcast"), std::string::npos)
      << r.status().message();
}

TEST(EngineRmsNormalizationTest, NotAvailableBeforeOpset23) {
  auto r = OpCase("RMSNormalization", 22)
               .input(Tensor::from_vector<float>({1, 2}, F{1, 2}))
               .input(Tensor::from_vector<float>({2}, F{1, 1}))
               .run();
  ASSERT_FALSE(r.ok());
}

TEST(EngineRmsNormalizationTest, BadStashTypeIsALoadError) {
  auto r = OpCase("RMSNormalization", kOpset)
               .input(Tensor::from_vector<float>({1, 2}, F{1, 2}))
               .input(Tensor::from_vector<float>({2}, F{1, 1}))
               .attr("stash_type", int64_t{7})
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("stash_type"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
