#include <gtest/gtest.h>

#include <cmath>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using D = std::vector<double>;
using I = std::vector<int64_t>;

TEST(EngineLeakyReluTest, Float) {
  Tensor y = OpCase("LeakyRelu", 13)
                 .input(Tensor::from_vector<float>({6}, F{-2.0f, -0.5f, 0.0f, 0.5f, 1.5f, 3.0f}))
                 .run_one();
  expect_float_tensor(y, {6}, {-0.019999999552965164f, -0.004999999888241291f, 0.0f, 0.5f, 1.5f, 3.0f}, 1e-5f);
}

TEST(EngineLeakyReluTest, Attributes) {
  Tensor y = OpCase("LeakyRelu", 13)
                 .input(Tensor::from_vector<float>({6}, F{-2.0f, -0.5f, 0.0f, 0.5f, 1.5f, 3.0f}))
                 .attr("alpha", 0.1f)
                 .run_one();
  expect_float_tensor(y, {6}, {-0.20000000298023224f, -0.05000000074505806f, 0.0f, 0.5f, 1.5f, 3.0f}, 1e-5f);
}

TEST(EngineLeakyReluTest, Double) {
  Tensor y = OpCase("LeakyRelu", 13)
                 .input(Tensor::from_vector<double>({2, 3}, D{-2.0, -0.5, 0.0, 0.5, 1.5, 3.0}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  ASSERT_EQ(y.shape(), (Shape{2, 3}));
  const D expected{-0.019999999552965164, -0.004999999888241291, 0.0, 0.5, 1.5, 3.0};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(y.data<double>()[i], expected[i], 1e-6);
}

TEST(EngineLeakyReluTest, Int64Fails) {
  auto r = OpCase("LeakyRelu", 13).input(Tensor::from_vector<int64_t>({2}, I{1, 2})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype int64"), std::string::npos) << r.status().message();
}

TEST(EngineLeakyReluTest, UnknownAttributeFailsAtLoad) {
  auto r = OpCase("LeakyRelu", 13).input(Tensor::from_vector<float>({1}, F{1})).attr("bogus", int64_t{1}).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bogus"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
