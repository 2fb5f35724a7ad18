#include <gtest/gtest.h>

#include <cmath>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using D = std::vector<double>;
using I = std::vector<int64_t>;

TEST(EngineLogTest, Float) {
  Tensor y = OpCase("Log", 13)
                 .input(Tensor::from_vector<float>({6}, F{0.1f, 0.5f, 1.0f, 2.0f, 4.0f, 10.0f}))
                 .run_one();
  expect_float_tensor(y, {6}, {-2.3025851249694824f, -0.6931471824645996f, 0.0f, 0.6931471824645996f, 1.3862943649291992f, 2.3025851249694824f}, 1e-5f);
}

TEST(EngineLogTest, Double) {
  Tensor y = OpCase("Log", 13)
                 .input(Tensor::from_vector<double>({2, 3}, D{0.1, 0.5, 1.0, 2.0, 4.0, 10.0}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  ASSERT_EQ(y.shape(), (Shape{2, 3}));
  const D expected{-2.3025850929940455, -0.6931471805599453, 0.0, 0.6931471805599453, 1.3862943611198906, 2.302585092994046};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(y.data<double>()[i], expected[i], 1e-6);
}

TEST(EngineLogTest, Int64Fails) {
  auto r = OpCase("Log", 13).input(Tensor::from_vector<int64_t>({2}, I{1, 2})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype int64"), std::string::npos) << r.status().message();
}

TEST(EngineLogTest, UnknownAttributeFailsAtLoad) {
  auto r = OpCase("Log", 13).input(Tensor::from_vector<float>({1}, F{1})).attr("bogus", int64_t{1}).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bogus"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
