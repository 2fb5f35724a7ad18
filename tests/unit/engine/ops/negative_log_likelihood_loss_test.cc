#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

Tensor scores() {
  return Tensor::from_vector<float>({2, 3}, F{-1.0f, -2.0f, -0.5f, -0.2f, -3.0f, -1.5f});
}

TEST(EngineNegativeLogLikelihoodLossTest, Reductions) {
  const Tensor target = Tensor::from_vector<int64_t>({2}, I{2, 0});
  Tensor none = OpCase("NegativeLogLikelihoodLoss")
                    .input(scores())
                    .input(target)
                    .attr("reduction", std::string("none"))
                    .run_one();
  expect_float_tensor(none, {2}, {0.5f, 0.2f});
  Tensor sum = OpCase("NegativeLogLikelihoodLoss")
                   .input(scores())
                   .input(target)
                   .attr("reduction", std::string("sum"))
                   .run_one();
  expect_float_tensor(sum, {}, {0.7f});
  Tensor mean = OpCase("NegativeLogLikelihoodLoss").input(scores()).input(target).run_one();
  expect_float_tensor(mean, {}, {0.35f});
}

TEST(EngineNegativeLogLikelihoodLossTest, WeightedMeanDividesByWeightSum) {
  // losses 1.0 * 2.0 and 0.2 * 0.5; mean = 1.1 / 2.5.
  Tensor y = OpCase("NegativeLogLikelihoodLoss")
                 .input(scores())
                 .input(Tensor::from_vector<int32_t>({2}, {2, 0}))
                 .weight(Tensor::from_vector<float>({3}, F{0.5f, 1.0f, 2.0f}))
                 .run_one();
  expect_float_tensor(y, {}, {0.44f});
}

TEST(EngineNegativeLogLikelihoodLossTest, SpatialDimsWithIgnoreIndex) {
  std::vector<float> x(12);
  for (size_t i = 0; i < x.size(); ++i) x[i] = -0.25f * static_cast<float>(i);
  const Tensor input = Tensor::from_vector<float>({2, 3, 2}, x);
  const Tensor target = Tensor::from_vector<int64_t>({2, 2}, I{0, -1, 2, 1});
  Tensor none = OpCase("NegativeLogLikelihoodLoss")
                    .input(input)
                    .input(target)
                    .attr("reduction", std::string("none"))
                    .attr("ignore_index", int64_t{-1})
                    .run_one();
  expect_float_tensor(none, {2, 2}, {0.0f, 0.0f, 2.5f, 2.25f});
  // The ignored item counts neither in the sum nor in the divisor.
  Tensor mean = OpCase("NegativeLogLikelihoodLoss")
                    .input(input)
                    .input(target)
                    .attr("ignore_index", int64_t{-1})
                    .run_one();
  expect_float_tensor(mean, {}, {4.75f / 3.0f});
}

TEST(EngineNegativeLogLikelihoodLossTest, AllIgnoredMeanIsNaN) {
  Tensor y = OpCase("NegativeLogLikelihoodLoss")
                 .input(scores())
                 .input(Tensor::from_vector<int64_t>({2}, I{7, 7}))
                 .attr("ignore_index", int64_t{7})
                 .run_one();
  ASSERT_EQ(y.num_elements(), 1);
  EXPECT_TRUE(std::isnan(y.data<float>()[0]));
}

TEST(EngineNegativeLogLikelihoodLossTest, Float64) {
  Tensor y = OpCase("NegativeLogLikelihoodLoss")
                 .input(Tensor::from_vector<double>({1, 2}, {-0.25, -4.0}))
                 .input(Tensor::from_vector<int64_t>({1}, I{1}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  EXPECT_DOUBLE_EQ(y.data<double>()[0], 4.0);
}

TEST(EngineNegativeLogLikelihoodLossTest, TargetOutOfRangeIsAnError) {
  auto r = OpCase("NegativeLogLikelihoodLoss")
               .input(scores())
               .input(Tensor::from_vector<int64_t>({2}, I{0, 3}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("target value 3 at index 1 is outside the classes [0, 3)"),
            std::string::npos)
      << r.status().message();
}

TEST(EngineNegativeLogLikelihoodLossTest, ShapeMismatchesAreErrors) {
  auto bad_target = OpCase("NegativeLogLikelihoodLoss")
                        .input(scores())
                        .input(Tensor::from_vector<int64_t>({3}, I{0, 1, 2}))
                        .run();
  ASSERT_FALSE(bad_target.ok());
  EXPECT_NE(bad_target.status().message().find("target shape [3]"), std::string::npos)
      << bad_target.status().message();
  auto bad_weight = OpCase("NegativeLogLikelihoodLoss")
                        .input(scores())
                        .input(Tensor::from_vector<int64_t>({2}, I{0, 1}))
                        .input(Tensor::from_vector<float>({2}, F{1, 1}))
                        .run();
  ASSERT_FALSE(bad_weight.ok());
  EXPECT_NE(bad_weight.status().message().find("weight shape [2] must be [C] = [3]"),
            std::string::npos)
      << bad_weight.status().message();
}

TEST(EngineNegativeLogLikelihoodLossTest, UnknownReductionIsALoadError) {
  auto r = OpCase("NegativeLogLikelihoodLoss")
               .input(scores())
               .input(Tensor::from_vector<int64_t>({2}, I{0, 1}))
               .attr("reduction", std::string("max"))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("reduction must be"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
