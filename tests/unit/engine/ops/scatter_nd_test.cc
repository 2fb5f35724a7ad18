#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineScatterNDTest, SlicesAndElements) {
  Tensor y = OpCase("ScatterND")
                 .input(Tensor::from_vector<float>({2, 2}, F{1, 2, 3, 4}))
                 .input(Tensor::from_vector<int64_t>({1, 1}, I{-1}))
                 .input(Tensor::from_vector<float>({1, 2}, F{8, 9}))
                 .run_one();
  expect_float_tensor(y, {2, 2}, {1, 2, 8, 9});
  Tensor z = OpCase("ScatterND")
                 .input(Tensor::from_vector<int64_t>({2, 2}, I{1, 2, 3, 4}))
                 .input(Tensor::from_vector<int64_t>({2, 2}, I{0, 1, 1, 0}))
                 .input(Tensor::from_vector<int64_t>({2}, I{7, 6}))
                 .run_one();
  expect_int64_tensor(z, {2, 2}, {1, 7, 6, 4});
}

TEST(EngineScatterNDTest, AddReduction) {
  Tensor y = OpCase("ScatterND", 16)
                 .attr("reduction", std::string("add"))
                 .input(Tensor::from_vector<float>({3}, F{1, 2, 3}))
                 .input(Tensor::from_vector<int64_t>({2, 1}, I{0, 0}))
                 .input(Tensor::from_vector<float>({2}, F{10, 20}))
                 .run_one();
  expect_float_tensor(y, {3}, {31, 2, 3});
}

TEST(EngineScatterNDTest, Errors) {
  Tensor x = Tensor::from_vector<float>({3}, F{1, 2, 3});
  EXPECT_FALSE(OpCase("ScatterND").input(x).input(Tensor::from_vector<int64_t>({1, 1}, I{3}))
                   .input(Tensor::from_vector<float>({1}, F{1})).run().ok());
  EXPECT_FALSE(OpCase("ScatterND").input(x).input(Tensor::from_vector<int64_t>({1, 1}, I{0}))
                   .input(Tensor::from_vector<float>({2}, F{1, 1})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
