#include <gtest/gtest.h>

#include <cmath>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;

OpCase bn_case(int64_t opset) {
  OpCase c("BatchNormalization", opset);
  c.input(Tensor::from_vector<float>({1, 2, 2, 2}, F{-1, 0, 1, 2, 3, 4, 5, 6}))
      .weight(Tensor::from_vector<float>({2}, F{1, 2}))
      .weight(Tensor::from_vector<float>({2}, F{0, 1}))
      .weight(Tensor::from_vector<float>({2}, F{0, 4}))
      .weight(Tensor::from_vector<float>({2}, F{1, 4}));
  return c;
}

TEST(EngineBatchNormalizationTest, Inference) {
  for (int64_t opset : {7, 9, 14, 15}) {
    Tensor y = bn_case(opset).attr("epsilon", 0.0f).run_one();
    expect_float_tensor(y, {1, 2, 2, 2}, {-1, 0, 1, 2, 0, 1, 2, 3});
  }
  // Default epsilon 1e-5: channel 0 is x / sqrt(1 + 1e-5).
  Tensor y = bn_case(15).run_one();
  EXPECT_NEAR(y.to_vector<float>()[0], -1.0f / std::sqrt(1.00001f), 1e-6f);
}

TEST(EngineBatchNormalizationTest, Opset7PerElementParameters) {
  // spatial = 0: parameters of shape [C, H, W].
  Tensor y = OpCase("BatchNormalization", 7)
                 .input(Tensor::from_vector<float>({2, 1, 2}, F{1, 2, 3, 4}))
                 .weight(Tensor::from_vector<float>({1, 2}, F{1, 2}))
                 .weight(Tensor::from_vector<float>({1, 2}, F{0, 1}))
                 .weight(Tensor::from_vector<float>({1, 2}, F{1, 0}))
                 .weight(Tensor::from_vector<float>({1, 2}, F{1, 4}))
                 .attr("spatial", int64_t{0})
                 .attr("epsilon", 0.0f)
                 .run_one();
  expect_float_tensor(y, {2, 1, 2}, {0, 3, 2, 5});
}

TEST(EngineBatchNormalizationTest, TrainingRejectedAtLoad) {
  auto r = bn_case(15).attr("training_mode", int64_t{1}).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("training_mode"), std::string::npos);
  auto outs = bn_case(15).outputs(3).run();
  ASSERT_FALSE(outs.ok());
  EXPECT_NE(outs.status().message().find("training"), std::string::npos) << outs.status().message();
}

TEST(EngineBatchNormalizationTest, WrongParameterShape) {
  auto r = OpCase("BatchNormalization", 15)
               .input(Tensor::from_vector<float>({1, 2, 1}, F{1, 2}))
               .weight(Tensor::from_vector<float>({3}, F{1, 1, 1}))
               .weight(Tensor::from_vector<float>({2}, F{0, 0}))
               .weight(Tensor::from_vector<float>({2}, F{0, 0}))
               .weight(Tensor::from_vector<float>({2}, F{1, 1}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("expected [2]"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
