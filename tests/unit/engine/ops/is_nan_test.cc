#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using D = std::vector<double>;
using I = std::vector<int64_t>;
using B = std::vector<bool>;

TEST(EngineIsNaNTest, Float) {
  Tensor y = OpCase("IsNaN")
                 .input(Tensor::from_vector<float>({4}, F{NAN, 0, INFINITY, -1}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kBool);
  EXPECT_EQ(y.to_vector<bool>(), (B{true, false, false, false}));
}

TEST(EngineIsNaNTest, Double) {
  Tensor y = OpCase("IsNaN").input(Tensor::from_vector<double>({2}, D{1, NAN})).run_one();
  EXPECT_EQ(y.to_vector<bool>(), (B{false, true}));
}

TEST(EngineIsNaNTest, Int64Fails) {
  auto r = OpCase("IsNaN").input(Tensor::from_vector<int64_t>({1}, I{1})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype int64"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
