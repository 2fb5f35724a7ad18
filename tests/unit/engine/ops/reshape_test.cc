#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineReshapeTest, ZeroCopiesAndMinusOneInfers) {
  std::vector<float> x(24);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
  Tensor y = OpCase("Reshape")
                 .input(Tensor::from_vector<float>({2, 3, 4}, x))
                 .weight(Tensor::from_vector<int64_t>({3}, I{0, -1, 2}))
                 .run_one();
  expect_float_tensor(y, {2, 6, 2}, x);
}

TEST(EngineReshapeTest, Int64DataAndRuntimeShape) {
  Tensor y = OpCase("Reshape")
                 .input(Tensor::from_vector<int64_t>({6}, I{1, 2, 3, 4, 5, 6}))
                 .input(Tensor::from_vector<int64_t>({2}, I{-1, 3}))
                 .run_one();
  expect_int64_tensor(y, {2, 3}, {1, 2, 3, 4, 5, 6});
}

TEST(EngineReshapeTest, AllowZeroKeepsLiteralZero) {
  Tensor y = OpCase("Reshape", 14)
                 .attr("allowzero", int64_t{1})
                 .input(Tensor::from_vector<float>({0, 3}, F{}))
                 .weight(Tensor::from_vector<int64_t>({2}, I{3, 0}))
                 .run_one();
  expect_float_tensor(y, {3, 0}, {});
}

TEST(EngineReshapeTest, OutputDoesNotAliasTheCallersInput) {
  Tensor x = Tensor::from_vector<float>({4}, F{1, 2, 3, 4});
  Tensor y =
      OpCase("Reshape").input(x).weight(Tensor::from_vector<int64_t>({2}, I{2, 2})).run_one();
  expect_float_tensor(y, {2, 2}, {1, 2, 3, 4});
  EXPECT_NE(y.raw_data(), x.raw_data());
}

TEST(EngineReshapeTest, Errors) {
  Tensor x = Tensor::from_vector<float>({2, 3}, F(6));
  for (const auto& shape : {I{4, -1}, I{-1, -1}, I{7}, I{0, 0, 0}, I{-2, 3}}) {
    auto r = OpCase("Reshape")
                 .input(x)
                 .weight(Tensor::from_vector<int64_t>({static_cast<int64_t>(shape.size())}, shape))
                 .run();
    EXPECT_FALSE(r.ok()) << shape_to_string(shape);
  }
}

}  // namespace
}  // namespace modelhost::engine::testing
