#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineScatterElementsTest, Axis1NegativeIndex) {
  Tensor y = OpCase("ScatterElements")
                 .attr("axis", int64_t{1})
                 .input(Tensor::from_vector<float>({1, 5}, F{1, 2, 3, 4, 5}))
                 .input(Tensor::from_vector<int64_t>({1, 2}, I{1, -2}))
                 .input(Tensor::from_vector<float>({1, 2}, F{1.1f, 2.1f}))
                 .run_one();
  expect_float_tensor(y, {1, 5}, {1, 1.1f, 3, 2.1f, 5});
}

TEST(EngineScatterElementsTest, Reductions) {
  auto run = [](const std::string& r, int64_t opset) {
    return OpCase("ScatterElements", opset)
        .attr("reduction", r)
        .input(Tensor::from_vector<int64_t>({3}, I{1, 5, 3}))
        .input(Tensor::from_vector<int32_t>({3}, {1, 1, 0}))
        .input(Tensor::from_vector<int64_t>({3}, I{2, 3, 4}))
        .run_one();
  };
  expect_int64_tensor(run("add", 16), {3}, {5, 10, 3});
  expect_int64_tensor(run("mul", 16), {3}, {4, 30, 3});
  expect_int64_tensor(run("max", 18), {3}, {4, 5, 3});
  expect_int64_tensor(run("min", 18), {3}, {1, 2, 3});
  EXPECT_FALSE(OpCase("ScatterElements", 16).attr("reduction", std::string("max"))
                   .input(Tensor::from_vector<float>({1}, F{1})).input(Tensor::from_vector<int64_t>({1}, I{0}))
                   .input(Tensor::from_vector<float>({1}, F{1})).run().ok());
}

TEST(EngineScatterElementsTest, OldScatterName) {
  Tensor y = OpCase("Scatter", 10)
                 .input(Tensor::from_vector<float>({3}, F{0, 0, 0}))
                 .input(Tensor::from_vector<int64_t>({1}, I{2}))
                 .input(Tensor::from_vector<float>({1}, F{7}))
                 .run_one();
  expect_float_tensor(y, {3}, {0, 0, 7});
}

TEST(EngineScatterElementsTest, OutOfRangeIndexIsAnError) {
  EXPECT_FALSE(OpCase("ScatterElements")
                   .input(Tensor::from_vector<float>({3}, F{0, 0, 0}))
                   .input(Tensor::from_vector<int64_t>({1}, I{3}))
                   .input(Tensor::from_vector<float>({1}, F{7}))
                   .run()
                   .ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
