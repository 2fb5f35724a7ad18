#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using I8 = std::vector<int8_t>;

OpCase int8_case() {
  OpCase c("QLinearConv", 10);
  c.input(Tensor::from_vector<int8_t>({1, 1, 3, 3}, I8{10, 20, 30, 40, 50, 60, 70, 80, 90}))
      .input(Tensor::from_vector<float>({}, {0.5f}))
      .input(Tensor::from_vector<int8_t>({}, I8{5}))
      .input(Tensor::from_vector<int8_t>({2, 1, 2, 2}, I8{1, -1, 2, 0, 3, 0, 0, 1}))
      .input(Tensor::from_vector<float>({2}, {0.25f, 0.1f}))
      .input(Tensor::from_vector<int8_t>({2}, I8{0, 1}))
      .input(Tensor::from_vector<float>({}, {1.0f}))
      .input(Tensor::from_vector<int8_t>({}, I8{-3}));
  return c;
}

TEST(EngineQLinearConvTest, PerChannelScalesZeroPointsAndBias) {
  Tensor y = int8_case().input(Tensor::from_vector<int32_t>({2}, {4, -10})).run_one();
  ASSERT_EQ(y.dtype(), DataType::kInt8);
  ASSERT_EQ(y.shape(), (Shape{1, 2, 2, 2}));
  // Channel 1: (-40 - 10) * 0.05 - 3 = -5.5, rounded half to even.
  EXPECT_EQ(y.to_vector<int8_t>(), (I8{5, 8, 12, 15, -6, -6, -6, -6}));
}

TEST(EngineQLinearConvTest, SaturatesToInt8) {
  Tensor y = int8_case().input(Tensor::from_vector<int32_t>({2}, {10000, -10000})).run_one();
  EXPECT_EQ(y.to_vector<int8_t>(), (I8{127, 127, 127, 127, -128, -128, -128, -128}));
}

TEST(EngineQLinearConvTest, BiasMustBeInt32PerChannel) {
  auto r = int8_case().input(Tensor::from_vector<int32_t>({3}, {0, 0, 0})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("B [3] must be [2]"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
