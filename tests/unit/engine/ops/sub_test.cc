#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineSubTest, BroadcastsFirstOperand) {
  // [3] - [2,3]
  Tensor y = OpCase("Sub")
                 .input(Tensor::from_vector<float>({3}, F{10, 20, 30}))
                 .input(Tensor::from_vector<float>({2, 3}, F{1, 2, 3, 4, 5, 6}))
                 .run_one();
  expect_float_tensor(y, {2, 3}, {9, 18, 27, 6, 15, 24});
}

TEST(EngineSubTest, Int64) {
  Tensor y = OpCase("Sub")
                 .input(Tensor::from_vector<int64_t>({2}, I{5, 7}))
                 .input(Tensor::from_vector<int64_t>({}, I{10}))
                 .run_one();
  expect_int64_tensor(y, {2}, {-5, -3});
}

}  // namespace
}  // namespace modelhost::engine::testing
