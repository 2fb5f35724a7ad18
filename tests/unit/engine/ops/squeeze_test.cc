#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineSqueezeTest, AxesInputAndAllOnes) {
  Tensor x = Tensor::from_vector<float>({1, 3, 1, 2}, F{1, 2, 3, 4, 5, 6});
  expect_float_tensor(OpCase("Squeeze").input(x).weight(Tensor::from_vector<int64_t>({1}, I{-2})).run_one(),
                      {1, 3, 2}, {1, 2, 3, 4, 5, 6});
  expect_float_tensor(OpCase("Squeeze").input(x).run_one(), {3, 2}, {1, 2, 3, 4, 5, 6});
}

TEST(EngineSqueezeTest, AttributeBeforeOpset13) {
  Tensor x = Tensor::from_vector<float>({1, 2}, F{1, 2});
  expect_float_tensor(OpCase("Squeeze", 11).attr("axes", I{0}).input(x).run_one(), {2}, {1, 2});
}

TEST(EngineSqueezeTest, NonOneAxisIsAnError) {
  Tensor x = Tensor::from_vector<float>({1, 2}, F{1, 2});
  EXPECT_FALSE(OpCase("Squeeze").input(x).input(Tensor::from_vector<int64_t>({1}, I{1})).run().ok());
  EXPECT_FALSE(OpCase("Squeeze").input(x).input(Tensor::from_vector<int64_t>({1}, I{2})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
