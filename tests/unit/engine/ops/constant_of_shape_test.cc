#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineConstantOfShapeTest, DefaultIsFloatZero) {
  Tensor y = OpCase("ConstantOfShape").input(Tensor::from_vector<int64_t>({2}, I{2, 3})).run_one();
  expect_float_tensor(y, {2, 3}, F(6, 0.0f));
}

TEST(EngineConstantOfShapeTest, ValueDtype) {
  Tensor y = OpCase("ConstantOfShape")
                 .attr("value", Tensor::from_vector<int64_t>({1}, I{7}))
                 .input(Tensor::from_vector<int64_t>({1}, I{3}))
                 .run_one();
  expect_int64_tensor(y, {3}, {7, 7, 7});
  Tensor s = OpCase("ConstantOfShape")
                 .attr("value", Tensor::from_vector<float>({1}, F{2.5f}))
                 .input(Tensor::from_vector<int64_t>({0}, I{}))
                 .run_one();
  expect_float_tensor(s, {}, {2.5f});
}

TEST(EngineConstantOfShapeTest, NegativeDimIsAnError) {
  EXPECT_FALSE(OpCase("ConstantOfShape").input(Tensor::from_vector<int64_t>({1}, I{-1})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
