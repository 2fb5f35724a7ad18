#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineFlattenTest, DefaultAxisOne) {
  Tensor y = OpCase("Flatten")
                 .input(Tensor::from_vector<float>({2, 2, 2}, F{1, 2, 3, 4, 5, 6, 7, 8}))
                 .run_one();
  expect_float_tensor(y, {2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
}

TEST(EngineFlattenTest, AxisZeroAndNegative) {
  Tensor x = Tensor::from_vector<float>({2, 3, 1}, F{1, 2, 3, 4, 5, 6});
  Tensor y0 = OpCase("Flatten").attr("axis", int64_t{0}).input(x).run_one();
  expect_float_tensor(y0, {1, 6}, {1, 2, 3, 4, 5, 6});
  Tensor yn = OpCase("Flatten").attr("axis", int64_t{-1}).input(x).run_one();
  expect_float_tensor(yn, {6, 1}, {1, 2, 3, 4, 5, 6});
  Tensor y3 = OpCase("Flatten").attr("axis", int64_t{3}).input(x).run_one();
  expect_float_tensor(y3, {6, 1}, {1, 2, 3, 4, 5, 6});
  EXPECT_FALSE(OpCase("Flatten").attr("axis", int64_t{4}).input(x).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
