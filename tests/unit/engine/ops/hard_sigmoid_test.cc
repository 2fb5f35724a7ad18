#include <gtest/gtest.h>

#include <cmath>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using D = std::vector<double>;
using I = std::vector<int64_t>;

TEST(EngineHardSigmoidTest, Float) {
  Tensor y = OpCase("HardSigmoid", 13)
                 .input(Tensor::from_vector<float>({8}, F{-2.0f, -0.5f, 0.0f, 0.5f, 1.5f, 3.0f, -5.0f, 5.0f}))
                 .run_one();
  expect_float_tensor(y, {8}, {0.09999999403953552f, 0.4000000059604645f, 0.5f, 0.6000000238418579f, 0.800000011920929f, 1.0f, 0.0f, 1.0f}, 1e-5f);
}

TEST(EngineHardSigmoidTest, Attributes) {
  Tensor y = OpCase("HardSigmoid", 13)
                 .input(Tensor::from_vector<float>({8}, F{-2.0f, -0.5f, 0.0f, 0.5f, 1.5f, 3.0f, -5.0f, 5.0f}))
                 .attr("alpha", 0.5f)
                 .attr("beta", 0.6f)
                 .run_one();
  expect_float_tensor(y, {8}, {0.0f, 0.3500000238418579f, 0.6000000238418579f, 0.8500000238418579f, 1.0f, 1.0f, 0.0f, 1.0f}, 1e-5f);
}

TEST(EngineHardSigmoidTest, Double) {
  Tensor y = OpCase("HardSigmoid", 13)
                 .input(Tensor::from_vector<double>({2, 4}, D{-2.0, -0.5, 0.0, 0.5, 1.5, 3.0, -5.0, 5.0}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  ASSERT_EQ(y.shape(), (Shape{2, 4}));
  const D expected{0.09999999403953552, 0.3999999985098839, 0.5, 0.6000000014901161, 0.8000000044703484, 1.0, 0.0, 1.0};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(y.data<double>()[i], expected[i], 1e-6);
}

TEST(EngineHardSigmoidTest, Int64Fails) {
  auto r = OpCase("HardSigmoid", 13).input(Tensor::from_vector<int64_t>({2}, I{1, 2})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype int64"), std::string::npos) << r.status().message();
}

TEST(EngineHardSigmoidTest, UnknownAttributeFailsAtLoad) {
  auto r = OpCase("HardSigmoid", 13).input(Tensor::from_vector<float>({1}, F{1})).attr("bogus", int64_t{1}).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bogus"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
