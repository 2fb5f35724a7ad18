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

// a = [3, 2, 1], b = [1, 4, 4], c = [2, 5, 0]
TEST(EngineMeanTest, ThreeInputs) {
  Tensor y = OpCase("Mean")
                 .input(Tensor::from_vector<float>({3}, F{3, 2, 1}))
                 .input(Tensor::from_vector<float>({3}, F{1, 4, 4}))
                 .input(Tensor::from_vector<float>({3}, F{2, 5, 0}))
                 .run_one();
  expect_float_tensor(y, {3}, {2, 11.0f / 3, 5.0f / 3});
}

TEST(EngineMeanTest, SingleInput) {
  Tensor y = OpCase("Mean").input(Tensor::from_vector<float>({3}, F{3, 2, 1})).run_one();
  expect_float_tensor(y, {3}, {3, 2, 1});
}

// [2,1] {1, 4} with [3] {2, 3, 6} -> [2,3]
TEST(EngineMeanTest, Broadcast) {
  Tensor y = OpCase("Mean")
                 .input(Tensor::from_vector<float>({2, 1}, F{1, 4}))
                 .input(Tensor::from_vector<float>({3}, F{2, 3, 6}))
                 .run_one();
  expect_float_tensor(y, {2, 3}, {1.5f, 2, 3.5f, 3, 3.5f, 5});
}

TEST(EngineMeanTest, Int64AndDouble) {
  Tensor y = OpCase("Mean")
                 .input(Tensor::from_vector<int64_t>({3}, I{3, 2, 1}))
                 .input(Tensor::from_vector<int64_t>({3}, I{1, 4, 4}))
                 .run_one();
  expect_int64_tensor(y, {3}, {2, 3, 2});
  Tensor z = OpCase("Mean")
                 .input(Tensor::from_vector<double>({3}, D{3, 2, 1}))
                 .input(Tensor::from_vector<double>({}, D{2}))
                 .run_one();
  ASSERT_EQ(z.dtype(), DataType::kFloat64);
  EXPECT_EQ(z.to_vector<double>(), (D{2.5, 2, 1.5}));
}

TEST(EngineMeanTest, BoolAndMixedDtypesFail) {
  auto r = OpCase("Mean").input(Tensor::from_vector<bool>({1}, B{true})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype bool"), std::string::npos);
  EXPECT_FALSE(OpCase("Mean")
                   .input(Tensor::from_vector<float>({1}, F{1}))
                   .input(Tensor::from_vector<double>({1}, D{1}))
                   .run()
                   .ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
