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

TEST(EnginePowTest, Float) {
  Tensor y = OpCase("Pow")
                 .input(Tensor::from_vector<float>({3}, F{1, 2, 3}))
                 .input(Tensor::from_vector<float>({3}, F{4, 5, 6}))
                 .run_one();
  expect_float_tensor(y, {3}, {1, 32, 729});
}

TEST(EnginePowTest, Broadcast) {
  Tensor y = OpCase("Pow")
                 .input(Tensor::from_vector<float>({2, 3}, F{1, 2, 3, 4, 5, 6}))
                 .input(Tensor::from_vector<float>({3}, F{1, 2, 0.5f}))
                 .run_one();
  expect_float_tensor(y, {2, 3}, {1, 4, 1.7320508f, 4, 25, 2.4494898f});
}

TEST(EnginePowTest, MixedTypesFromOpset12) {
  Tensor y = OpCase("Pow", 12)
                 .input(Tensor::from_vector<float>({3}, F{1, 2, 3}))
                 .input(Tensor::from_vector<int64_t>({3}, I{4, 5, 6}))
                 .run_one();
  expect_float_tensor(y, {3}, {1, 32, 729});
  Tensor z = OpCase("Pow", 15)
                 .input(Tensor::from_vector<int64_t>({3}, I{1, 2, 3}))
                 .input(Tensor::from_vector<float>({3}, F{4, 5, 6}))
                 .run_one();
  expect_int64_tensor(z, {3}, {1, 32, 729});
  Tensor w = OpCase("Pow", 15)
                 .input(Tensor::from_vector<double>({2}, D{2, 9}))
                 .input(Tensor::from_vector<int32_t>({}, std::vector<int32_t>{-1}))
                 .run_one();
  EXPECT_EQ(w.to_vector<double>(), (D{0.5, 1.0 / 9}));
}

TEST(EnginePowTest, MixedTypesFailBeforeOpset12) {
  EXPECT_FALSE(OpCase("Pow", 11)
                   .input(Tensor::from_vector<float>({1}, F{1}))
                   .input(Tensor::from_vector<int64_t>({1}, I{1}))
                   .run()
                   .ok());
}

TEST(EnginePowTest, BoolBaseFails) {
  auto r = OpCase("Pow", 15)
               .input(Tensor::from_vector<bool>({1}, B{true}))
               .input(Tensor::from_vector<float>({1}, F{1}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype bool"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
