#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineSplitTest, EqualAndInputSizes) {
  Tensor x = Tensor::from_vector<float>({6}, F{1, 2, 3, 4, 5, 6});
  auto r = OpCase("Split").outputs(3).input(x).run();
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  expect_float_tensor((*r)[2], {2}, {5, 6});
  auto s = OpCase("Split").outputs(2).input(x).weight(Tensor::from_vector<int64_t>({2}, I{2, 4})).run();
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  expect_float_tensor((*s)[0], {2}, {1, 2});
  expect_float_tensor((*s)[1], {4}, {3, 4, 5, 6});
}

TEST(EngineSplitTest, AttributeBefore13NegativeAxis) {
  auto r = OpCase("Split", 11)
               .outputs(2)
               .attr("axis", int64_t{-1})
               .attr("split", I{1, 2})
               .input(Tensor::from_vector<int64_t>({2, 3}, I{1, 2, 3, 4, 5, 6}))
               .run();
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  expect_int64_tensor((*r)[0], {2, 1}, {1, 4});
  expect_int64_tensor((*r)[1], {2, 2}, {2, 3, 5, 6});
}

TEST(EngineSplitTest, NumOutputsFromOpset18) {
  auto r = OpCase("Split", 18)
               .outputs(3)
               .attr("num_outputs", int64_t{3})
               .input(Tensor::from_vector<float>({7}, F{1, 2, 3, 4, 5, 6, 7}))
               .run();
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  expect_float_tensor((*r)[0], {3}, {1, 2, 3});
  expect_float_tensor((*r)[2], {1}, {7});
}

TEST(EngineSplitTest, Errors) {
  Tensor x = Tensor::from_vector<float>({5}, F{1, 2, 3, 4, 5});
  EXPECT_FALSE(OpCase("Split").outputs(2).input(x).run().ok());
  EXPECT_FALSE(OpCase("Split").outputs(2).input(x).input(Tensor::from_vector<int64_t>({2}, I{1, 1})).run().ok());
  EXPECT_FALSE(OpCase("Split", 18).outputs(2).input(x).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
