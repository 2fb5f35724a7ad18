#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineCumSumTest, Variants) {
  Tensor x = Tensor::from_vector<float>({4}, F{1, 2, 3, 4});
  Tensor axis = Tensor::from_vector<int32_t>({}, {0});
  expect_float_tensor(OpCase("CumSum", 11).input(x).input(axis).run_one(), {4}, {1, 3, 6, 10});
  expect_float_tensor(OpCase("CumSum", 11).attr("exclusive", int64_t{1}).input(x).input(axis).run_one(),
                      {4}, {0, 1, 3, 6});
  expect_float_tensor(OpCase("CumSum", 11).attr("reverse", int64_t{1}).input(x).input(axis).run_one(),
                      {4}, {10, 9, 7, 4});
  expect_float_tensor(OpCase("CumSum", 11).attr("reverse", int64_t{1}).attr("exclusive", int64_t{1})
                          .input(x).input(axis).run_one(),
                      {4}, {9, 7, 4, 0});
}

TEST(EngineCumSumTest, NegativeAxisInt64) {
  Tensor y = OpCase("CumSum", 14)
                 .input(Tensor::from_vector<int64_t>({2, 3}, I{1, 2, 3, 4, 5, 6}))
                 .input(Tensor::from_vector<int64_t>({1}, I{-1}))
                 .run_one();
  expect_int64_tensor(y, {2, 3}, {1, 3, 6, 4, 9, 15});
}

TEST(EngineCumSumTest, BadAxisIsAnError) {
  EXPECT_FALSE(OpCase("CumSum", 14).input(Tensor::from_vector<float>({2}, F{1, 2}))
                   .input(Tensor::from_vector<int64_t>({}, I{1})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
