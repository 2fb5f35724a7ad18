#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

std::vector<float> iota(int n) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<float>(i);
  return v;
}

TEST(EngineSliceTest, InputsWithAxesAndSteps) {
  Tensor y = OpCase("Slice")
                 .input(Tensor::from_vector<float>({3, 4}, iota(12)))
                 .weight(Tensor::from_vector<int64_t>({2}, I{0, 1}))
                 .weight(Tensor::from_vector<int64_t>({2}, I{-1, 1000}))
                 .weight(Tensor::from_vector<int64_t>({2}, I{0, 1}))
                 .weight(Tensor::from_vector<int64_t>({2}, I{1, 2}))
                 .run_one();
  expect_float_tensor(y, {2, 2}, {1, 3, 5, 7});
}

TEST(EngineSliceTest, NegativeStepsClamp) {
  Tensor y = OpCase("Slice")
                 .input(Tensor::from_vector<float>({5}, iota(5)))
                 .input(Tensor::from_vector<int32_t>({1}, {100}))
                 .input(Tensor::from_vector<int32_t>({1}, {-100}))
                 .omitted()
                 .input(Tensor::from_vector<int32_t>({1}, {-2}))
                 .run_one();
  expect_float_tensor(y, {3}, {4, 2, 0});
  Tensor z = OpCase("Slice")
                 .input(Tensor::from_vector<float>({5}, iota(5)))
                 .input(Tensor::from_vector<int64_t>({1}, I{-2}))
                 .input(Tensor::from_vector<int64_t>({1}, I{0}))
                 .input(Tensor::from_vector<int64_t>({1}, I{-1}))
                 .input(Tensor::from_vector<int64_t>({1}, I{-1}))
                 .run_one();
  expect_float_tensor(z, {3}, {3, 2, 1});
}

TEST(EngineSliceTest, EmptyResultAndAttributesBeforeOpset10) {
  Tensor y = OpCase("Slice")
                 .input(Tensor::from_vector<float>({4}, iota(4)))
                 .input(Tensor::from_vector<int64_t>({1}, I{3}))
                 .input(Tensor::from_vector<int64_t>({1}, I{1}))
                 .run_one();
  expect_float_tensor(y, {0}, {});
  Tensor z = OpCase("Slice", 9)
                 .attr("starts", I{1, -2})
                 .attr("ends", I{2, 100})
                 .attr("axes", I{-2, 1})
                 .input(Tensor::from_vector<float>({3, 4}, iota(12)))
                 .run_one();
  expect_float_tensor(z, {1, 2}, {6, 7});
}

TEST(EngineSliceTest, Errors) {
  Tensor x = Tensor::from_vector<float>({4}, iota(4));
  auto one = [](int64_t v) { return Tensor::from_vector<int64_t>({1}, I{v}); };
  EXPECT_FALSE(OpCase("Slice").input(x).input(one(0)).input(one(2)).input(one(0)).input(one(0)).run().ok());
  EXPECT_FALSE(OpCase("Slice").input(x).input(one(0)).input(one(2)).input(one(1)).run().ok());
  EXPECT_FALSE(OpCase("Slice").input(x).input(one(0)).input(Tensor::from_vector<int64_t>({2}, I{1, 2})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
