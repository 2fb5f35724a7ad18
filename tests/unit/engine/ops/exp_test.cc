#include <gtest/gtest.h>

#include <cmath>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using D = std::vector<double>;
using I = std::vector<int64_t>;

TEST(EngineExpTest, Float) {
  Tensor y = OpCase("Exp", 13)
                 .input(Tensor::from_vector<float>({6}, F{-2.0f, -0.5f, 0.0f, 0.5f, 1.5f, 3.0f}))
                 .run_one();
  expect_float_tensor(y, {6}, {0.1353352814912796f, 0.6065306663513184f, 1.0f, 1.6487212181091309f, 4.481688976287842f, 20.08553695678711f}, 1e-5f);
}

TEST(EngineExpTest, Double) {
  Tensor y = OpCase("Exp", 13)
                 .input(Tensor::from_vector<double>({2, 3}, D{-2.0, -0.5, 0.0, 0.5, 1.5, 3.0}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  ASSERT_EQ(y.shape(), (Shape{2, 3}));
  const D expected{0.1353352832366127, 0.6065306597126334, 1.0, 1.6487212707001282, 4.4816890703380645, 20.085536923187668};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(y.data<double>()[i], expected[i], 1e-6);
}

TEST(EngineExpTest, Int64Fails) {
  auto r = OpCase("Exp", 13).input(Tensor::from_vector<int64_t>({2}, I{1, 2})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype int64"), std::string::npos) << r.status().message();
}

TEST(EngineExpTest, UnknownAttributeFailsAtLoad) {
  auto r = OpCase("Exp", 13).input(Tensor::from_vector<float>({1}, F{1})).attr("bogus", int64_t{1}).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bogus"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
