#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineUnsqueezeTest, AxesInOutputPositions) {
  Tensor x = Tensor::from_vector<float>({2, 3}, F{1, 2, 3, 4, 5, 6});
  Tensor y = OpCase("Unsqueeze").input(x).weight(Tensor::from_vector<int64_t>({2}, I{0, -1})).run_one();
  expect_float_tensor(y, {1, 2, 3, 1}, {1, 2, 3, 4, 5, 6});
  Tensor z = OpCase("Unsqueeze").input(x).input(Tensor::from_vector<int64_t>({2}, I{3, 1})).run_one();
  expect_float_tensor(z, {2, 1, 3, 1}, {1, 2, 3, 4, 5, 6});
}

TEST(EngineUnsqueezeTest, AttributeBeforeOpset13AndScalar) {
  Tensor y = OpCase("Unsqueeze", 11).attr("axes", I{0}).input(Tensor::from_vector<float>({}, F{5})).run_one();
  expect_float_tensor(y, {1}, {5});
}

TEST(EngineUnsqueezeTest, Errors) {
  Tensor x = Tensor::from_vector<float>({2}, F{1, 2});
  EXPECT_FALSE(OpCase("Unsqueeze").input(x).input(Tensor::from_vector<int64_t>({1}, I{2})).run().ok());
  EXPECT_FALSE(OpCase("Unsqueeze").input(x).input(Tensor::from_vector<int64_t>({2}, I{0, 0})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
