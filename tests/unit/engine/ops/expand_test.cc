#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineExpandTest, BroadcastsBothWays) {
  Tensor y = OpCase("Expand")
                 .input(Tensor::from_vector<float>({3, 1}, F{1, 2, 3}))
                 .input(Tensor::from_vector<int64_t>({3}, I{2, 1, 2}))
                 .run_one();
  expect_float_tensor(y, {2, 3, 2}, {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3});
  Tensor z = OpCase("Expand")
                 .input(Tensor::from_vector<int64_t>({2}, I{4, 5}))
                 .input(Tensor::from_vector<int64_t>({1}, I{1}))
                 .run_one();
  expect_int64_tensor(z, {2}, {4, 5});
}

TEST(EngineExpandTest, IncompatibleShapeIsAnError) {
  EXPECT_FALSE(OpCase("Expand")
                   .input(Tensor::from_vector<float>({3}, F{1, 2, 3}))
                   .input(Tensor::from_vector<int64_t>({1}, I{2}))
                   .run()
                   .ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
