#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineTileTest, RepeatsEachDim) {
  Tensor y = OpCase("Tile")
                 .input(Tensor::from_vector<float>({2, 2}, F{1, 2, 3, 4}))
                 .input(Tensor::from_vector<int64_t>({2}, I{2, 1}))
                 .run_one();
  expect_float_tensor(y, {4, 2}, {1, 2, 3, 4, 1, 2, 3, 4});
  Tensor z = OpCase("Tile")
                 .input(Tensor::from_vector<int64_t>({2}, I{1, 2}))
                 .input(Tensor::from_vector<int64_t>({1}, I{3}))
                 .run_one();
  expect_int64_tensor(z, {6}, {1, 2, 1, 2, 1, 2});
}

TEST(EngineTileTest, Errors) {
  Tensor x = Tensor::from_vector<float>({2}, F{1, 2});
  EXPECT_FALSE(OpCase("Tile").input(x).input(Tensor::from_vector<int64_t>({2}, I{1, 1})).run().ok());
  EXPECT_FALSE(OpCase("Tile").input(x).input(Tensor::from_vector<int64_t>({1}, I{-1})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
