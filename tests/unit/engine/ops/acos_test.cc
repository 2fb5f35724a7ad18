#include <gtest/gtest.h>

#include <cmath>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using D = std::vector<double>;
using I = std::vector<int64_t>;

TEST(EngineAcosTest, Float) {
  Tensor y = OpCase("Acos", 13)
                 .input(Tensor::from_vector<float>({6}, F{-0.9f, -0.5f, 0.0f, 0.25f, 0.5f, 0.9f}))
                 .run_one();
  expect_float_tensor(y, {6}, {2.690565824508667f, 2.094395160675049f, 1.5707963705062866f, 1.3181160688400269f, 1.0471975803375244f, 0.4510268568992615f}, 1e-5f);
}

TEST(EngineAcosTest, Double) {
  Tensor y = OpCase("Acos", 13)
                 .input(Tensor::from_vector<double>({2, 3}, D{-0.9, -0.5, 0.0, 0.25, 0.5, 0.9}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  ASSERT_EQ(y.shape(), (Shape{2, 3}));
  const D expected{2.6905658417935308, 2.0943951023931957, 1.5707963267948966, 1.318116071652818, 1.0471975511965979, 0.45102681179626236};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(y.data<double>()[i], expected[i], 1e-6);
}

TEST(EngineAcosTest, Int64Fails) {
  auto r = OpCase("Acos", 13).input(Tensor::from_vector<int64_t>({2}, I{1, 2})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype int64"), std::string::npos) << r.status().message();
}

TEST(EngineAcosTest, UnknownAttributeFailsAtLoad) {
  auto r = OpCase("Acos", 13).input(Tensor::from_vector<float>({1}, F{1})).attr("bogus", int64_t{1}).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bogus"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
