#include <gtest/gtest.h>

#include <cmath>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using D = std::vector<double>;
using I = std::vector<int64_t>;

TEST(EngineAsinTest, Float) {
  Tensor y = OpCase("Asin", 13)
                 .input(Tensor::from_vector<float>({6}, F{-0.9f, -0.5f, 0.0f, 0.25f, 0.5f, 0.9f}))
                 .run_one();
  expect_float_tensor(y, {6}, {-1.1197694540023804f, -0.5235987901687622f, 0.0f, 0.252680242061615f, 0.5235987901687622f, 1.1197694540023804f}, 1e-5f);
}

TEST(EngineAsinTest, Double) {
  Tensor y = OpCase("Asin", 13)
                 .input(Tensor::from_vector<double>({2, 3}, D{-0.9, -0.5, 0.0, 0.25, 0.5, 0.9}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  ASSERT_EQ(y.shape(), (Shape{2, 3}));
  const D expected{-1.1197695149986342, -0.5235987755982989, 0.0, 0.25268025514207865, 0.5235987755982989, 1.1197695149986342};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(y.data<double>()[i], expected[i], 1e-6);
}

TEST(EngineAsinTest, Int64Fails) {
  auto r = OpCase("Asin", 13).input(Tensor::from_vector<int64_t>({2}, I{1, 2})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype int64"), std::string::npos) << r.status().message();
}

TEST(EngineAsinTest, UnknownAttributeFailsAtLoad) {
  auto r = OpCase("Asin", 13).input(Tensor::from_vector<float>({1}, F{1})).attr("bogus", int64_t{1}).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bogus"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
