#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineMulTest, BroadcastsColumn) {
  Tensor y = OpCase("Mul")
                 .input(Tensor::from_vector<float>({2, 3}, F{1, 2, 3, 4, 5, 6}))
                 .weight(Tensor::from_vector<float>({2, 1}, F{2, -1}))
                 .run_one();
  expect_float_tensor(y, {2, 3}, {2, 4, 6, -4, -5, -6});
}

TEST(EngineMulTest, Int64) {
  Tensor y = OpCase("Mul")
                 .input(Tensor::from_vector<int64_t>({3}, I{1, 2, 3}))
                 .input(Tensor::from_vector<int64_t>({1}, I{-3}))
                 .run_one();
  expect_int64_tensor(y, {3}, {-3, -6, -9});
}

}  // namespace
}  // namespace modelhost::engine::testing
