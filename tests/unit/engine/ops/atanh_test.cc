#include <gtest/gtest.h>

#include <cmath>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using D = std::vector<double>;
using I = std::vector<int64_t>;

TEST(EngineAtanhTest, Float) {
  Tensor y = OpCase("Atanh", 13)
                 .input(Tensor::from_vector<float>({6}, F{-0.9f, -0.5f, 0.0f, 0.25f, 0.5f, 0.9f}))
                 .run_one();
  expect_float_tensor(y, {6}, {-1.4722193479537964f, -0.5493061542510986f, 0.0f, 0.2554128170013428f, 0.5493061542510986f, 1.4722193479537964f}, 1e-5f);
}

TEST(EngineAtanhTest, Double) {
  Tensor y = OpCase("Atanh", 13)
                 .input(Tensor::from_vector<double>({2, 3}, D{-0.9, -0.5, 0.0, 0.25, 0.5, 0.9}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  ASSERT_EQ(y.shape(), (Shape{2, 3}));
  const D expected{-1.4722194895832204, -0.5493061443340548, 0.0, 0.25541281188299536, 0.5493061443340548, 1.4722194895832204};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(y.data<double>()[i], expected[i], 1e-6);
}

TEST(EngineAtanhTest, Int64Fails) {
  auto r = OpCase("Atanh", 13).input(Tensor::from_vector<int64_t>({2}, I{1, 2})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype int64"), std::string::npos) << r.status().message();
}

TEST(EngineAtanhTest, UnknownAttributeFailsAtLoad) {
  auto r = OpCase("Atanh", 13).input(Tensor::from_vector<float>({1}, F{1})).attr("bogus", int64_t{1}).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bogus"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
