#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;

TEST(EngineInstanceNormalizationTest, Basic) {
  Tensor y = OpCase("InstanceNormalization", 7)
                 .input(Tensor::from_vector<float>({1, 2, 2, 2}, F{-1, 0, 1, 2, 3, 4, 5, 6}))
                 .weight(Tensor::from_vector<float>({2}, F{1, 2}))
                 .weight(Tensor::from_vector<float>({2}, F{0, 1}))
                 .attr("epsilon", 0.0f)
                 .run_one();
  expect_float_tensor(
      y, {1, 2, 2, 2},
      {-1.341641f, -0.447214f, 0.447214f, 1.341641f, -1.683282f, 0.105573f, 1.894427f, 3.683282f});
}

TEST(EngineInstanceNormalizationTest, Errors) {
  auto r = OpCase("InstanceNormalization", 7)
               .input(Tensor::from_vector<float>({1, 2, 2}, F{1, 2, 3, 4}))
               .weight(Tensor::from_vector<float>({3}, F{1, 1, 1}))
               .weight(Tensor::from_vector<float>({2}, F{0, 0}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("scale and B"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
