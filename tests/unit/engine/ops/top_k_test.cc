#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

// [[1, 5, 3, 5], [4, 2, 6, 0]]
const Tensor kX = Tensor::from_vector<float>({2, 4}, F{1, 5, 3, 5, 4, 2, 6, 0});

TEST(EngineTopKTest, KInputLargest) {
  auto r =
      OpCase("TopK", 11).input(kX).weight(Tensor::from_vector<int64_t>({1}, I{2})).outputs(2).run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  expect_float_tensor((*r)[0], {2, 2}, {5, 5, 6, 4});
  expect_int64_tensor((*r)[1], {2, 2}, {1, 3, 2, 0});
}

TEST(EngineTopKTest, SmallestAlongAxis0) {
  auto r = OpCase("TopK", 11)
               .input(kX)
               .weight(Tensor::from_vector<int64_t>({1}, I{1}))
               .attr("largest", int64_t{0})
               .attr("axis", int64_t{0})
               .outputs(2)
               .run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  expect_float_tensor((*r)[0], {1, 4}, {1, 2, 3, 0});
  expect_int64_tensor((*r)[1], {1, 4}, {0, 1, 0, 1});
}

TEST(EngineTopKTest, Opset1KAttribute) {
  auto r = OpCase("TopK", 9).input(kX).attr("k", int64_t{3}).outputs(2).run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  expect_float_tensor((*r)[0], {2, 3}, {5, 5, 3, 6, 4, 2});
  expect_int64_tensor((*r)[1], {2, 3}, {1, 3, 2, 2, 0, 1});
}

TEST(EngineTopKTest, Errors) {
  auto r =
      OpCase("TopK", 11).input(kX).weight(Tensor::from_vector<int64_t>({1}, I{5})).outputs(2).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("out of range"), std::string::npos);
  auto missing = OpCase("TopK", 9).input(kX).outputs(2).run();
  ASSERT_FALSE(missing.ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
