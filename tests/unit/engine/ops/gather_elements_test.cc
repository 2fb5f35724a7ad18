#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineGatherElementsTest, Axis1) {
  Tensor y = OpCase("GatherElements")
                 .attr("axis", int64_t{1})
                 .input(Tensor::from_vector<float>({2, 2}, F{1, 2, 3, 4}))
                 .input(Tensor::from_vector<int64_t>({2, 2}, I{0, 0, 1, 0}))
                 .run_one();
  expect_float_tensor(y, {2, 2}, {1, 1, 4, 3});
}

TEST(EngineGatherElementsTest, Axis0NegativeIndices) {
  Tensor y = OpCase("GatherElements")
                 .input(Tensor::from_vector<int64_t>({3, 3}, I{1, 2, 3, 4, 5, 6, 7, 8, 9}))
                 .input(Tensor::from_vector<int32_t>({2, 3}, {-1, -2, 0, -2, 0, 0}))
                 .run_one();
  expect_int64_tensor(y, {2, 3}, {7, 5, 3, 4, 2, 3});
}

TEST(EngineGatherElementsTest, Errors) {
  Tensor x = Tensor::from_vector<float>({2, 2}, F{1, 2, 3, 4});
  EXPECT_FALSE(OpCase("GatherElements").input(x).input(Tensor::from_vector<int64_t>({1, 1}, I{2})).run().ok());
  EXPECT_FALSE(OpCase("GatherElements").input(x).input(Tensor::from_vector<int64_t>({2}, I{0, 0})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
