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

// numpy.mod / numpy.fmod of [-4, 7, 5, 4, -7, 8] by [2, -3, 8, -2, 3, 5]
TEST(EngineModTest, IntegerMixedSigns) {
  Tensor y = OpCase("Mod")
                 .input(Tensor::from_vector<int64_t>({6}, I{-4, 7, 5, 4, -7, 8}))
                 .input(Tensor::from_vector<int64_t>({6}, I{2, -3, 8, -2, 3, 5}))
                 .run_one();
  expect_int64_tensor(y, {6}, {0, -2, 5, 0, 2, 3});
}

TEST(EngineModTest, IntegerFmod) {
  Tensor y = OpCase("Mod")
                 .input(Tensor::from_vector<int64_t>({6}, I{-4, 7, 5, 4, -7, 8}))
                 .input(Tensor::from_vector<int64_t>({6}, I{2, -3, 8, -2, 3, 5}))
                 .attr("fmod", int64_t{1})
                 .run_one();
  expect_int64_tensor(y, {6}, {0, 1, 5, 0, -1, 3});
}

TEST(EngineModTest, FloatFmodAndMod) {
  Tensor y = OpCase("Mod")
                 .input(Tensor::from_vector<float>({3}, F{-4.3f, 7.2f, 5.0f}))
                 .input(Tensor::from_vector<float>({3}, F{2.1f, -3.4f, 8.0f}))
                 .attr("fmod", int64_t{1})
                 .run_one();
  expect_float_tensor(y, {3}, {-0.1f, 0.4f, 5.0f}, 1e-5f);
  Tensor z = OpCase("Mod")
                 .input(Tensor::from_vector<double>({3}, D{-4.5, 7, 5}))
                 .input(Tensor::from_vector<double>({3}, D{2, -3, 8}))
                 .run_one();
  EXPECT_EQ(z.to_vector<double>(), (D{1.5, -2, 5}));
}

TEST(EngineModTest, BroadcastAndZeroDivisor) {
  Tensor y = OpCase("Mod")
                 .input(Tensor::from_vector<int32_t>({2, 2}, std::vector<int32_t>{5, 6, 7, 8}))
                 .input(Tensor::from_vector<int32_t>({2}, std::vector<int32_t>{3, 0}))
                 .run_one();
  EXPECT_EQ(y.to_vector<int32_t>(), (std::vector<int32_t>{2, 0, 1, 0}));
}

TEST(EngineModTest, BadFmodFailsAtLoad) {
  EXPECT_FALSE(OpCase("Mod")
                   .input(Tensor::from_vector<int64_t>({1}, I{1}))
                   .input(Tensor::from_vector<int64_t>({1}, I{1}))
                   .attr("fmod", int64_t{2})
                   .run()
                   .ok());
}

TEST(EngineModTest, BoolFails) {
  auto r = OpCase("Mod")
               .input(Tensor::from_vector<bool>({1}, B{true}))
               .input(Tensor::from_vector<bool>({1}, B{true}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype bool"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
