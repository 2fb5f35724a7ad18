#include <gtest/gtest.h>

#include <string>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

Tensor scores() { return Tensor::from_vector<float>({2, 3}, F{1, 2, 3, 0, 0, 0}); }

TEST(EngineSoftmaxCrossEntropyLossTest, NoneWithLogProb) {
  auto r = OpCase("SoftmaxCrossEntropyLoss")
               .input(scores())
               .input(Tensor::from_vector<int64_t>({2}, I{2, 1}))
               .attr("reduction", std::string("none"))
               .outputs(2)
               .run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  expect_float_tensor((*r)[0], {2}, {0.40760598f, 1.0986123f});
  expect_float_tensor(
      (*r)[1], {2, 3},
      {-2.407606f, -1.407606f, -0.40760598f, -1.0986123f, -1.0986123f, -1.0986123f});
}

TEST(EngineSoftmaxCrossEntropyLossTest, WeightedMean) {
  Tensor y = OpCase("SoftmaxCrossEntropyLoss")
                 .input(scores())
                 .input(Tensor::from_vector<int64_t>({2}, I{2, 1}))
                 .weight(Tensor::from_vector<float>({3}, F{0.5f, 1.0f, 2.0f}))
                 .run_one();
  expect_float_tensor(y, {}, {0.6379414f});
}

TEST(EngineSoftmaxCrossEntropyLossTest, SoftmaxRunsOverTheClassDimOfNdInputs) {
  // [N=1, C=2, d=2]: the softmax pairs are (x[0,0,d], x[0,1,d]).
  Tensor input = Tensor::from_vector<float>({1, 2, 2}, F{0, 5, 0, 5});
  auto r = OpCase("SoftmaxCrossEntropyLoss")
               .input(input)
               .input(Tensor::from_vector<int64_t>({1, 2}, I{1, 0}))
               .attr("reduction", std::string("sum"))
               .outputs(2)
               .run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  // Both pairs are equal, so every log-probability is log(0.5).
  expect_float_tensor((*r)[1], {1, 2, 2}, {-0.6931472f, -0.6931472f, -0.6931472f, -0.6931472f});
  expect_float_tensor((*r)[0], {}, {2 * 0.6931472f});
}

TEST(EngineSoftmaxCrossEntropyLossTest, IgnoreIndexAndLargeScoresStayFinite) {
  Tensor input = Tensor::from_vector<float>({2, 2}, F{1000, 0, 0, 1000});
  Tensor y = OpCase("SoftmaxCrossEntropyLoss")
                 .input(input)
                 .input(Tensor::from_vector<int64_t>({2}, I{1, 5}))
                 .attr("ignore_index", int64_t{5})
                 .run_one();
  expect_float_tensor(y, {}, {1000.0f}, 1e-2f);
}

TEST(EngineSoftmaxCrossEntropyLossTest, Float64) {
  Tensor y = OpCase("SoftmaxCrossEntropyLoss")
                 .input(Tensor::from_vector<double>({1, 2}, {0.0, 0.0}))
                 .input(Tensor::from_vector<int32_t>({1}, {0}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  EXPECT_NEAR(y.data<double>()[0], 0.69314718055994531, 1e-12);
}

TEST(EngineSoftmaxCrossEntropyLossTest, RankOneInputIsAnError) {
  auto r = OpCase("SoftmaxCrossEntropyLoss")
               .input(Tensor::from_vector<float>({3}, F{1, 2, 3}))
               .input(Tensor::from_vector<int64_t>({}, I{0}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("rank >= 2"), std::string::npos) << r.status().message();
}

TEST(EngineSoftmaxCrossEntropyLossTest, FloatTargetIsAnError) {
  auto r = OpCase("SoftmaxCrossEntropyLoss")
               .input(scores())
               .input(Tensor::from_vector<float>({2}, F{0, 1}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("input 1 has dtype float32"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
