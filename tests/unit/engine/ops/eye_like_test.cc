#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineEyeLikeTest, DiagonalK) {
  Tensor x = Tensor::from_vector<float>({2, 3}, F(6));
  expect_float_tensor(OpCase("EyeLike", 9).input(x).run_one(), {2, 3}, {1, 0, 0, 0, 1, 0});
  expect_float_tensor(OpCase("EyeLike", 9).attr("k", int64_t{-1}).input(x).run_one(), {2, 3},
                      {0, 0, 0, 1, 0, 0});
}

TEST(EngineEyeLikeTest, DtypeAttribute) {
  Tensor y = OpCase("EyeLike", 9).attr("dtype", int64_t{7}).attr("k", int64_t{1})
                 .input(Tensor::from_vector<float>({2, 2}, F(4))).run_one();
  expect_int64_tensor(y, {2, 2}, {0, 1, 0, 0});
}

TEST(EngineEyeLikeTest, Errors) {
  EXPECT_FALSE(OpCase("EyeLike", 9).input(Tensor::from_vector<float>({3}, F(3))).run().ok());
  EXPECT_FALSE(OpCase("EyeLike", 9).attr("dtype", int64_t{8}).input(Tensor::from_vector<float>({1, 1}, F(1))).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
