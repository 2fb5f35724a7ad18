#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineConcatTest, Axis0) {
  Tensor y = OpCase("Concat")
                 .attr("axis", int64_t{0})
                 .input(Tensor::from_vector<float>({1, 2}, F{1, 2}))
                 .input(Tensor::from_vector<float>({2, 2}, F{3, 4, 5, 6}))
                 .run_one();
  expect_float_tensor(y, {3, 2}, {1, 2, 3, 4, 5, 6});
}

TEST(EngineConcatTest, NegativeAxis) {
  Tensor y = OpCase("Concat")
                 .attr("axis", int64_t{-1})
                 .input(Tensor::from_vector<float>({2, 1}, F{1, 2}))
                 .weight(Tensor::from_vector<float>({2, 2}, F{3, 4, 5, 6}))
                 .input(Tensor::from_vector<float>({2, 0}, F{}))
                 .run_one();
  expect_float_tensor(y, {2, 3}, {1, 3, 4, 2, 5, 6});
}

TEST(EngineConcatTest, Int64Shapes) {
  Tensor y = OpCase("Concat")
                 .attr("axis", int64_t{0})
                 .input(Tensor::from_vector<int64_t>({1}, I{-1}))
                 .weight(Tensor::from_vector<int64_t>({2}, I{3, 4}))
                 .run_one();
  expect_int64_tensor(y, {3}, {-1, 3, 4});
}

TEST(EngineConcatTest, MismatchedDimsFail) {
  auto r = OpCase("Concat")
               .attr("axis", int64_t{0})
               .input(Tensor::from_vector<float>({1, 2}, F{1, 2}))
               .input(Tensor::from_vector<float>({1, 3}, F{1, 2, 3}))
               .run();
  ASSERT_FALSE(r.ok());
  auto no_axis = OpCase("Concat").input(Tensor::from_vector<float>({1}, F{1})).run();
  ASSERT_FALSE(no_axis.ok());
  EXPECT_NE(no_axis.status().message().find("\"axis\" is required"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
