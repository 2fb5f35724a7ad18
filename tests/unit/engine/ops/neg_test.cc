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

TEST(EngineNegTest, Float) {
  Tensor y = OpCase("Neg").input(Tensor::from_vector<float>({3}, F{-1.5f, 0, 2})).run_one();
  expect_float_tensor(y, {3}, {1.5f, 0, -2});
}

TEST(EngineNegTest, IntegersWrap) {
  Tensor y = OpCase("Neg").input(Tensor::from_vector<int64_t>({3}, I{-4, 0, 9})).run_one();
  expect_int64_tensor(y, {3}, {4, 0, -9});
  Tensor z = OpCase("Neg")
                 .input(Tensor::from_vector<int32_t>({2}, std::vector<int32_t>{
                                                              std::numeric_limits<int32_t>::min(), 3}))
                 .run_one();
  EXPECT_EQ(z.to_vector<int32_t>(),
            (std::vector<int32_t>{std::numeric_limits<int32_t>::min(), -3}));
}

TEST(EngineNegTest, Double) {
  Tensor y = OpCase("Neg").input(Tensor::from_vector<double>({2}, D{0.25, -8})).run_one();
  EXPECT_EQ(y.to_vector<double>(), (D{-0.25, 8}));
}

TEST(EngineNegTest, UnsignedFails) {
  auto r = OpCase("Neg").input(Tensor::from_vector<uint8_t>({1}, std::vector<uint8_t>{1})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype uint8"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
