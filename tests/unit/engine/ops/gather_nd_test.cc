#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineGatherNDTest, FullAndPartialIndexTuples) {
  Tensor x = Tensor::from_vector<int64_t>({2, 2}, I{0, 1, 2, 3});
  expect_int64_tensor(
      OpCase("GatherND").input(x).input(Tensor::from_vector<int64_t>({2, 2}, I{0, 0, 1, 1})).run_one(),
      {2}, {0, 3});
  expect_int64_tensor(
      OpCase("GatherND").input(x).input(Tensor::from_vector<int64_t>({2, 1}, I{1, -2})).run_one(),
      {2, 2}, {2, 3, 0, 1});
}

TEST(EngineGatherNDTest, BatchDims) {
  Tensor y = OpCase("GatherND", 12)
                 .attr("batch_dims", int64_t{1})
                 .input(Tensor::from_vector<float>({2, 2, 2}, F{0, 1, 2, 3, 4, 5, 6, 7}))
                 .input(Tensor::from_vector<int64_t>({2, 1}, I{1, 0}))
                 .run_one();
  expect_float_tensor(y, {2, 2}, {2, 3, 4, 5});
}

TEST(EngineGatherNDTest, Errors) {
  Tensor x = Tensor::from_vector<float>({2, 2}, F{1, 2, 3, 4});
  EXPECT_FALSE(OpCase("GatherND").input(x).input(Tensor::from_vector<int64_t>({1, 2}, I{0, 2})).run().ok());
  EXPECT_FALSE(OpCase("GatherND").input(x).input(Tensor::from_vector<int64_t>({1, 3}, I{0, 0, 0})).run().ok());
  EXPECT_FALSE(OpCase("GatherND", 11).attr("batch_dims", int64_t{1}).input(x)
                   .input(Tensor::from_vector<int64_t>({2, 1}, I{0, 0})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
