#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineNonZeroTest, Coordinates) {
  Tensor y = OpCase("NonZero", 13).input(Tensor::from_vector<float>({2, 2}, F{1, 0, -0.0f, 3})).run_one();
  expect_int64_tensor(y, {2, 2}, {0, 1, 0, 1});
  Tensor z = OpCase("NonZero", 9).input(Tensor::from_vector<int32_t>({3}, {0, 0, 0})).run_one();
  expect_int64_tensor(z, {1, 0}, {});
}

TEST(EngineNonZeroTest, Bool) {
  Tensor y = OpCase("NonZero", 13).input(Tensor::from_vector<bool>({3}, {true, false, true})).run_one();
  expect_int64_tensor(y, {1, 2}, {0, 2});
}

TEST(EngineNonZeroTest, NotBeforeOpset9) {
  EXPECT_FALSE(OpCase("NonZero", 8).input(Tensor::from_vector<float>({1}, F{1})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
