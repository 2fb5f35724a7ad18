#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineGatherTest, Axis0Rows) {
  Tensor y = OpCase("Gather")
                 .input(Tensor::from_vector<float>({3, 2}, F{1, 2, 3, 4, 5, 6}))
                 .input(Tensor::from_vector<int64_t>({2, 2}, I{0, 1, 1, 2}))
                 .run_one();
  expect_float_tensor(y, {2, 2, 2}, {1, 2, 3, 4, 3, 4, 5, 6});
}

TEST(EngineGatherTest, Axis1NegativeAndInt32Indices) {
  Tensor y = OpCase("Gather")
                 .attr("axis", int64_t{-1})
                 .input(Tensor::from_vector<int64_t>({2, 3}, I{1, 2, 3, 4, 5, 6}))
                 .input(Tensor::from_vector<int32_t>({2}, {-1, 0}))
                 .run_one();
  expect_int64_tensor(y, {2, 2}, {3, 1, 6, 4});
}

TEST(EngineGatherTest, ScalarIndexDropsTheAxis) {
  Tensor y = OpCase("Gather", 11)
                 .attr("axis", int64_t{1})
                 .input(Tensor::from_vector<float>({2, 3}, F{1, 2, 3, 4, 5, 6}))
                 .input(Tensor::from_vector<int64_t>({}, I{2}))
                 .run_one();
  expect_float_tensor(y, {2}, {3, 6});
}

TEST(EngineGatherTest, OutOfRangeIndexIsARunError) {
  auto r = OpCase("Gather")
               .input(Tensor::from_vector<float>({3}, F{1, 2, 3}))
               .input(Tensor::from_vector<int64_t>({1}, I{3}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().to_string().find("out of range"), std::string::npos);
  EXPECT_NE(r.status().to_string().find("Gather"), std::string::npos);
  EXPECT_FALSE(OpCase("Gather")
                   .input(Tensor::from_vector<float>({3}, F{1, 2, 3}))
                   .input(Tensor::from_vector<int64_t>({1}, I{-4}))
                   .run()
                   .ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
