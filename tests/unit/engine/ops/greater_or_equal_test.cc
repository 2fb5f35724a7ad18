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

// a = [1, 2, 3], b = [2, 2, 2]
TEST(EngineGreaterOrEqualTest, Float) {
  Tensor y = OpCase("GreaterOrEqual", 16)
                 .input(Tensor::from_vector<float>({3}, F{1, 2, 3}))
                 .input(Tensor::from_vector<float>({3}, F{2, 2, 2}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kBool);
  EXPECT_EQ(y.to_vector<bool>(), (B{false, true, true}));
}

TEST(EngineGreaterOrEqualTest, Int32AndDouble) {
  Tensor y = OpCase("GreaterOrEqual", 16)
                 .input(Tensor::from_vector<int32_t>({3}, std::vector<int32_t>{1, 2, 3}))
                 .input(Tensor::from_vector<int32_t>({3}, std::vector<int32_t>{2, 2, 2}))
                 .run_one();
  EXPECT_EQ(y.to_vector<bool>(), (B{false, true, true}));
  Tensor z = OpCase("GreaterOrEqual", 16)
                 .input(Tensor::from_vector<double>({3}, D{1, 2, 3}))
                 .input(Tensor::from_vector<double>({3}, D{2, 2, 2}))
                 .run_one();
  EXPECT_EQ(z.to_vector<bool>(), (B{false, true, true}));
}

// [2,1] {1, 3} against [3] {1, 2, 3} -> [2,3]
TEST(EngineGreaterOrEqualTest, Broadcast) {
  Tensor y = OpCase("GreaterOrEqual", 16)
                 .input(Tensor::from_vector<int64_t>({2, 1}, I{1, 3}))
                 .input(Tensor::from_vector<int64_t>({3}, I{1, 2, 3}))
                 .run_one();
  ASSERT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(y.to_vector<bool>(), (B{true, false, false, true, true, true}));
}

TEST(EngineGreaterOrEqualTest, MixedDtypesFail) {
  auto r = OpCase("GreaterOrEqual", 16)
               .input(Tensor::from_vector<float>({1}, F{1}))
               .input(Tensor::from_vector<int64_t>({1}, I{1}))
               .run();
  EXPECT_FALSE(r.ok());
}

TEST(EngineGreaterOrEqualTest, BoolFails) {
  auto r = OpCase("GreaterOrEqual", 13)
               .input(Tensor::from_vector<bool>({1}, B{true}))
               .input(Tensor::from_vector<bool>({1}, B{false}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype bool"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
