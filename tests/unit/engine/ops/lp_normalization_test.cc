#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineLpNormalizationTest, L2LastAxisByDefault) {
  Tensor y =
      OpCase("LpNormalization").input(Tensor::from_vector<float>({2, 2}, F{3, 4, 0, -2})).run_one();
  expect_float_tensor(y, {2, 2}, {0.6f, 0.8f, 0.0f, -1.0f});
}

TEST(EngineLpNormalizationTest, L1UsesAbsoluteValuesAlongAxis0) {
  Tensor y = OpCase("LpNormalization")
                 .input(Tensor::from_vector<float>({2, 2}, F{1, -2, -3, 2}))
                 .attr("axis", int64_t{0})
                 .attr("p", int64_t{1})
                 .run_one();
  expect_float_tensor(y, {2, 2}, {0.25f, -0.5f, -0.75f, 0.5f});
}

TEST(EngineLpNormalizationTest, Float64MiddleAxis) {
  Tensor y = OpCase("LpNormalization")
                 .input(Tensor::from_vector<double>({1, 2, 2}, {3, 1, 4, 0}))
                 .attr("axis", int64_t{1})
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  EXPECT_EQ(y.to_vector<double>(), (std::vector<double>{0.6, 1.0, 0.8, 0.0}));
}

TEST(EngineLpNormalizationTest, POtherThanOneOrTwoIsALoadError) {
  auto r = OpCase("LpNormalization")
               .input(Tensor::from_vector<float>({2}, F{1, 2}))
               .attr("p", int64_t{3})
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("p must be 1 or 2"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
