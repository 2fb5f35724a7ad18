#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using D = std::vector<double>;
using I = std::vector<int64_t>;
using B = std::vector<bool>;

TEST(EnginePReluTest, SameShape) {
  Tensor y = OpCase("PRelu")
                 .input(Tensor::from_vector<float>({4}, F{-2, -1, 0, 3}))
                 .input(Tensor::from_vector<float>({4}, F{0.5f, 0.1f, 0.2f, 0.3f}))
                 .run_one();
  expect_float_tensor(y, {4}, {-1, -0.1f, 0, 3});
}

TEST(EnginePReluTest, SlopeBroadcastsToX) {
  // Per-channel slope [2,1] over x [2,3].
  Tensor y = OpCase("PRelu")
                 .input(Tensor::from_vector<float>({2, 3}, F{-1, 2, -3, -4, 5, -6}))
                 .weight(Tensor::from_vector<float>({2, 1}, F{0.5f, 2}))
                 .run_one();
  expect_float_tensor(y, {2, 3}, {-0.5f, 2, -1.5f, -8, 5, -12});
  Tensor z = OpCase("PRelu")
                 .input(Tensor::from_vector<double>({3}, D{-1, 2, -3}))
                 .input(Tensor::from_vector<double>({1}, D{0.25}))
                 .run_one();
  EXPECT_EQ(z.to_vector<double>(), (D{-0.25, 2, -0.75}));
}

TEST(EnginePReluTest, SlopeWiderThanXFails) {
  auto r = OpCase("PRelu")
               .input(Tensor::from_vector<float>({3}, F{1, 2, 3}))
               .input(Tensor::from_vector<float>({2, 3}, F(6)))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("does not broadcast"), std::string::npos);
}

TEST(EnginePReluTest, BoolFails) {
  auto r = OpCase("PRelu")
               .input(Tensor::from_vector<bool>({1}, B{true}))
               .input(Tensor::from_vector<bool>({1}, B{true}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype bool"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
