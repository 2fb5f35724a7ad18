#include <gtest/gtest.h>

#include <cmath>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using D = std::vector<double>;
using I = std::vector<int64_t>;

TEST(EngineSoftplusTest, Float) {
  Tensor y = OpCase("Softplus", 13)
                 .input(Tensor::from_vector<float>({8}, F{-2.0f, -0.5f, 0.0f, 0.5f, 1.5f, 3.0f, 50.0f, -50.0f}))
                 .run_one();
  expect_float_tensor(y, {8}, {0.12692804634571075f, 0.4740769863128662f, 0.6931471824645996f, 0.9740769863128662f, 1.7014132738113403f, 3.0485873222351074f, 50.0f, 0.0f}, 1e-5f);
}

TEST(EngineSoftplusTest, Double) {
  Tensor y = OpCase("Softplus", 13)
                 .input(Tensor::from_vector<double>({2, 4}, D{-2.0, -0.5, 0.0, 0.5, 1.5, 3.0, 50.0, -50.0}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  ASSERT_EQ(y.shape(), (Shape{2, 4}));
  const D expected{0.1269280110429726, 0.4740769841801067, 0.6931471805599453, 0.9740769841801067, 1.7014132779827524, 3.048587351573742, 50.0, 0.0};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(y.data<double>()[i], expected[i], 1e-6);
}

TEST(EngineSoftplusTest, Int64Fails) {
  auto r = OpCase("Softplus", 13).input(Tensor::from_vector<int64_t>({2}, I{1, 2})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype int64"), std::string::npos) << r.status().message();
}

TEST(EngineSoftplusTest, UnknownAttributeFailsAtLoad) {
  auto r = OpCase("Softplus", 13).input(Tensor::from_vector<float>({1}, F{1})).attr("bogus", int64_t{1}).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bogus"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
