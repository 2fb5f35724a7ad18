#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EnginePadTest, ConstantWithValueInput) {
  Tensor y = OpCase("Pad")
                 .input(Tensor::from_vector<float>({2, 2}, F{1, 2, 3, 4}))
                 .input(Tensor::from_vector<int64_t>({4}, I{0, 1, 1, 0}))
                 .input(Tensor::from_vector<float>({}, F{9}))
                 .run_one();
  expect_float_tensor(y, {3, 3}, {9, 1, 2, 9, 3, 4, 9, 9, 9});
}

TEST(EnginePadTest, ReflectEdgeWrap) {
  Tensor x = Tensor::from_vector<float>({3}, F{1, 2, 3});
  Tensor pads = Tensor::from_vector<int64_t>({2}, I{2, 2});
  expect_float_tensor(OpCase("Pad").attr("mode", std::string("reflect")).input(x).input(pads).run_one(),
                      {7}, {3, 2, 1, 2, 3, 2, 1});
  expect_float_tensor(OpCase("Pad").attr("mode", std::string("edge")).input(x).input(pads).run_one(),
                      {7}, {1, 1, 1, 2, 3, 3, 3});
  expect_float_tensor(OpCase("Pad", 19).attr("mode", std::string("wrap")).input(x).input(pads).run_one(),
                      {7}, {2, 3, 1, 2, 3, 1, 2});
}

TEST(EnginePadTest, NegativePadsCropAndAxesFrom18) {
  Tensor y = OpCase("Pad")
                 .input(Tensor::from_vector<int64_t>({4}, I{1, 2, 3, 4}))
                 .input(Tensor::from_vector<int64_t>({2}, I{-1, 1}))
                 .run_one();
  expect_int64_tensor(y, {4}, {2, 3, 4, 0});
  Tensor z = OpCase("Pad", 18)
                 .input(Tensor::from_vector<float>({2, 2}, F{1, 2, 3, 4}))
                 .input(Tensor::from_vector<int64_t>({2}, I{1, 0}))
                 .omitted()
                 .input(Tensor::from_vector<int64_t>({1}, I{-1}))
                 .run_one();
  expect_float_tensor(z, {2, 3}, {0, 1, 2, 0, 3, 4});
}

TEST(EnginePadTest, AttributesBeforeOpset11) {
  Tensor y = OpCase("Pad", 10)
                 .attr("pads", I{1, 0})
                 .attr("value", 1.5f)
                 .input(Tensor::from_vector<float>({2}, F{1, 2}))
                 .run_one();
  expect_float_tensor(y, {3}, {1.5f, 1, 2});
}

TEST(EnginePadTest, Errors) {
  Tensor x = Tensor::from_vector<float>({2}, F{1, 2});
  EXPECT_FALSE(OpCase("Pad").input(x).input(Tensor::from_vector<int64_t>({2}, I{-3, 0})).run().ok());
  EXPECT_FALSE(OpCase("Pad").input(x).input(Tensor::from_vector<int64_t>({4}, I{0, 0, 0, 0})).run().ok());
  EXPECT_FALSE(OpCase("Pad", 18).attr("mode", std::string("wrap")).input(x)
                   .input(Tensor::from_vector<int64_t>({2}, I{1, 1})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
