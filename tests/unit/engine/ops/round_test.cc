#include <gtest/gtest.h>

#include <cmath>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using D = std::vector<double>;
using I = std::vector<int64_t>;

TEST(EngineRoundTest, Float) {
  Tensor y = OpCase("Round", 13)
                 .input(Tensor::from_vector<float>({8}, F{-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 2.4f, -2.6f}))
                 .run_one();
  expect_float_tensor(y, {8}, {-2.0f, -2.0f, -0.0f, 0.0f, 2.0f, 2.0f, 2.0f, -3.0f}, 1e-5f);
}

TEST(EngineRoundTest, Double) {
  Tensor y = OpCase("Round", 13)
                 .input(Tensor::from_vector<double>({2, 4}, D{-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.4, -2.6}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  ASSERT_EQ(y.shape(), (Shape{2, 4}));
  const D expected{-2.0, -2.0, -0.0, 0.0, 2.0, 2.0, 2.0, -3.0};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(y.data<double>()[i], expected[i], 1e-6);
}

TEST(EngineRoundTest, Int64Fails) {
  auto r = OpCase("Round", 13).input(Tensor::from_vector<int64_t>({2}, I{1, 2})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype int64"), std::string::npos) << r.status().message();
}

TEST(EngineRoundTest, UnknownAttributeFailsAtLoad) {
  auto r = OpCase("Round", 13).input(Tensor::from_vector<float>({1}, F{1})).attr("bogus", int64_t{1}).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bogus"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
