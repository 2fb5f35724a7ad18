#include <gtest/gtest.h>

#include <cmath>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using D = std::vector<double>;
using I = std::vector<int64_t>;

TEST(EngineSeluTest, Float) {
  Tensor y = OpCase("Selu", 13)
                 .input(Tensor::from_vector<float>({6}, F{-2.0f, -0.5f, 0.0f, 0.5f, 1.5f, 3.0f}))
                 .run_one();
  expect_float_tensor(y, {6}, {-1.5201665163040161f, -0.6917582154273987f, 0.0f, 0.5253505110740662f, 1.5760514736175537f, 3.1521029472351074f}, 1e-5f);
}

TEST(EngineSeluTest, Attributes) {
  Tensor y = OpCase("Selu", 13)
                 .input(Tensor::from_vector<float>({6}, F{-2.0f, -0.5f, 0.0f, 0.5f, 1.5f, 3.0f}))
                 .attr("alpha", 2.0f)
                 .attr("gamma", 3.0f)
                 .run_one();
  expect_float_tensor(y, {6}, {-5.18798828125f, -2.36081600189209f, 0.0f, 1.5f, 4.5f, 9.0f}, 1e-5f);
}

TEST(EngineSeluTest, Double) {
  Tensor y = OpCase("Selu", 13)
                 .input(Tensor::from_vector<double>({2, 3}, D{-2.0, -0.5, 0.0, 0.5, 1.5, 3.0}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  ASSERT_EQ(y.shape(), (Shape{2, 3}));
  const D expected{-1.5201664733475926, -0.6917581899652426, 0.0, 0.5253505110740662, 1.5760515332221985, 3.152103066444397};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(y.data<double>()[i], expected[i], 1e-6);
}

TEST(EngineSeluTest, Int64Fails) {
  auto r = OpCase("Selu", 13).input(Tensor::from_vector<int64_t>({2}, I{1, 2})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype int64"), std::string::npos) << r.status().message();
}

TEST(EngineSeluTest, UnknownAttributeFailsAtLoad) {
  auto r = OpCase("Selu", 13).input(Tensor::from_vector<float>({1}, F{1})).attr("bogus", int64_t{1}).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bogus"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
