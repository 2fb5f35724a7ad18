#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;

// Two groups of two channels, one value each: group 0 = {1, 3}, group 1 = {2, 6}.
const Tensor kX = Tensor::from_vector<float>({1, 4, 1}, F{1, 3, 2, 6});

TEST(EngineGroupNormalizationTest, Opset18PerGroupScale) {
  Tensor y = OpCase("GroupNormalization", 18)
                 .input(kX)
                 .weight(Tensor::from_vector<float>({2}, F{1, 2}))
                 .weight(Tensor::from_vector<float>({2}, F{0, 1}))
                 .attr("num_groups", int64_t{2})
                 .attr("epsilon", 0.0f)
                 .run_one();
  expect_float_tensor(y, {1, 4, 1}, {-1, 1, -1, 3});
}

TEST(EngineGroupNormalizationTest, Opset21PerChannelScale) {
  Tensor y = OpCase("GroupNormalization", 21)
                 .input(kX)
                 .weight(Tensor::from_vector<float>({4}, F{1, 2, 3, 4}))
                 .weight(Tensor::from_vector<float>({4}, F{0, 0, 0, 1}))
                 .attr("num_groups", int64_t{2})
                 .attr("epsilon", 0.0f)
                 .run_one();
  expect_float_tensor(y, {1, 4, 1}, {-1, 2, -3, 5});
}

TEST(EngineGroupNormalizationTest, Errors) {
  auto r = OpCase("GroupNormalization", 18)
               .input(kX)
               .weight(Tensor::from_vector<float>({3}, F{1, 1, 1}))
               .weight(Tensor::from_vector<float>({3}, F{0, 0, 0}))
               .attr("num_groups", int64_t{3})
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("groups"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
