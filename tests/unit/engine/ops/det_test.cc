#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineDetTest, BatchOf2x2) {
  Tensor y = OpCase("Det")
                 .input(Tensor::from_vector<float>({2, 2, 2}, F{1, 2, 3, 4, 2, 0, 0, 3}))
                 .run_one();
  expect_float_tensor(y, {2}, {-2.0f, 6.0f});
}

TEST(EngineDetTest, NeedsPivoting3x3) {
  Tensor y = OpCase("Det")
                 .input(Tensor::from_vector<double>({3, 3}, {0, 1, 2, 1, 0, 3, 4, -3, 8}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  ASSERT_EQ(y.shape(), Shape{});
  EXPECT_NEAR(y.data<double>()[0], -2.0, 1e-12);
}

TEST(EngineDetTest, SingularIsZero) {
  Tensor y = OpCase("Det").input(Tensor::from_vector<float>({2, 2}, F{1, 2, 2, 4})).run_one();
  expect_float_tensor(y, {}, {0.0f});
}

TEST(EngineDetTest, NonSquareIsAnError) {
  auto r = OpCase("Det").input(Tensor::from_vector<float>({2, 3}, F(6, 1.0f))).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("square matrices"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
