#include <gtest/gtest.h>

#include <cmath>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using D = std::vector<double>;
using I = std::vector<int64_t>;

TEST(EngineAcoshTest, Float) {
  Tensor y = OpCase("Acosh", 13)
                 .input(Tensor::from_vector<float>({6}, F{1.0f, 1.5f, 2.0f, 3.0f, 10.0f, 100.0f}))
                 .run_one();
  expect_float_tensor(y, {6}, {0.0f, 0.9624236822128296f, 1.316957950592041f, 1.7627471685409546f, 2.993222951889038f, 5.29829216003418f}, 1e-5f);
}

TEST(EngineAcoshTest, Double) {
  Tensor y = OpCase("Acosh", 13)
                 .input(Tensor::from_vector<double>({2, 3}, D{1.0, 1.5, 2.0, 3.0, 10.0, 100.0}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  ASSERT_EQ(y.shape(), (Shape{2, 3}));
  const D expected{0.0, 0.9624236501192069, 1.3169578969248166, 1.762747174039086, 2.993222846126381, 5.298292365610484};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(y.data<double>()[i], expected[i], 1e-6);
}

TEST(EngineAcoshTest, Int64Fails) {
  auto r = OpCase("Acosh", 13).input(Tensor::from_vector<int64_t>({2}, I{1, 2})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype int64"), std::string::npos) << r.status().message();
}

TEST(EngineAcoshTest, UnknownAttributeFailsAtLoad) {
  auto r = OpCase("Acosh", 13).input(Tensor::from_vector<float>({1}, F{1})).attr("bogus", int64_t{1}).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bogus"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
