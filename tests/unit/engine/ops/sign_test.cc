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

TEST(EngineSignTest, Float) {
  Tensor y = OpCase("Sign").input(Tensor::from_vector<float>({4}, F{-1.5f, 0, 2, -0.1f})).run_one();
  expect_float_tensor(y, {4}, {-1, 0, 1, -1});
}

TEST(EngineSignTest, NaNStaysNaN) {
  Tensor y = OpCase("Sign").input(Tensor::from_vector<float>({1}, F{NAN})).run_one();
  EXPECT_TRUE(std::isnan(y.data<float>()[0]));
}

TEST(EngineSignTest, Integers) {
  Tensor y = OpCase("Sign").input(Tensor::from_vector<int64_t>({3}, I{-4, 0, 9})).run_one();
  expect_int64_tensor(y, {3}, {-1, 0, 1});
  Tensor u = OpCase("Sign")
                 .input(Tensor::from_vector<uint8_t>({2}, std::vector<uint8_t>{0, 200}))
                 .run_one();
  EXPECT_EQ(u.to_vector<uint8_t>(), (std::vector<uint8_t>{0, 1}));
}

TEST(EngineSignTest, BoolFails) {
  EXPECT_FALSE(OpCase("Sign").input(Tensor::from_vector<bool>({1}, B{true})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
