#include <gtest/gtest.h>

#include <numeric>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;

TEST(EngineLayerNormalizationTest, LastAxisWithMeanAndInvStdDev) {
  auto r = OpCase("LayerNormalization", 17)
               .input(Tensor::from_vector<float>({2, 4}, F{1, 2, 3, 4, 2, 4, 6, 8}))
               .weight(Tensor::from_vector<float>({4}, F{1, 1, 2, 2}))
               .weight(Tensor::from_vector<float>({4}, F{0, 0, 0, 1}))
               .attr("epsilon", 0.0f)
               .outputs(3)
               .run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  expect_float_tensor(
      (*r)[0], {2, 4},
      {-1.341641f, -0.447214f, 0.894427f, 3.683282f, -1.341641f, -0.447214f, 0.894427f, 3.683282f});
  expect_float_tensor((*r)[1], {2, 1}, {2.5f, 5.0f});
  expect_float_tensor((*r)[2], {2, 1}, {0.894427f, 0.447214f});
}

TEST(EngineLayerNormalizationTest, Axis1NoBias) {
  F x(12);
  std::iota(x.begin(), x.end(), 0.0f);
  Tensor y = OpCase("LayerNormalization", 17)
                 .input(Tensor::from_vector<float>({2, 3, 2}, x))
                 .weight(Tensor::from_vector<float>({3, 2}, F(6, 1.0f)))
                 .attr("axis", int64_t{1})
                 .attr("epsilon", 0.0f)
                 .run_one();
  const F row = {-1.46385f, -0.87831f, -0.29277f, 0.29277f, 0.87831f, 1.46385f};
  F want = row;
  want.insert(want.end(), row.begin(), row.end());
  expect_float_tensor(y, {2, 3, 2}, want);
}

TEST(EngineLayerNormalizationTest, Errors) {
  auto r = OpCase("LayerNormalization", 17)
               .input(Tensor::from_vector<float>({2, 4}, F(8, 1.0f)))
               .weight(Tensor::from_vector<float>({3}, F(3, 1.0f)))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Scale"), std::string::npos) << r.status().message();
  // Not defined before opset 17.
  auto old = OpCase("LayerNormalization", 16)
                 .input(Tensor::from_vector<float>({2, 4}, F(8, 1.0f)))
                 .weight(Tensor::from_vector<float>({4}, F(4, 1.0f)))
                 .run();
  ASSERT_FALSE(old.ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
