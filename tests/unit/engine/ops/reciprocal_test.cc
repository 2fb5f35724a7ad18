#include <gtest/gtest.h>

#include <cmath>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using D = std::vector<double>;
using I = std::vector<int64_t>;

TEST(EngineReciprocalTest, Float) {
  Tensor y = OpCase("Reciprocal", 13)
                 .input(Tensor::from_vector<float>({6}, F{-2.0f, -0.5f, 0.25f, 1.0f, 4.0f, 10.0f}))
                 .run_one();
  expect_float_tensor(y, {6}, {-0.5f, -2.0f, 4.0f, 1.0f, 0.25f, 0.10000000149011612f}, 1e-5f);
}

TEST(EngineReciprocalTest, Double) {
  Tensor y = OpCase("Reciprocal", 13)
                 .input(Tensor::from_vector<double>({2, 3}, D{-2.0, -0.5, 0.25, 1.0, 4.0, 10.0}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  ASSERT_EQ(y.shape(), (Shape{2, 3}));
  const D expected{-0.5, -2.0, 4.0, 1.0, 0.25, 0.1};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(y.data<double>()[i], expected[i], 1e-6);
}

TEST(EngineReciprocalTest, Int64Fails) {
  auto r = OpCase("Reciprocal", 13).input(Tensor::from_vector<int64_t>({2}, I{1, 2})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype int64"), std::string::npos) << r.status().message();
}

TEST(EngineReciprocalTest, UnknownAttributeFailsAtLoad) {
  auto r = OpCase("Reciprocal", 13).input(Tensor::from_vector<float>({1}, F{1})).attr("bogus", int64_t{1}).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bogus"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
