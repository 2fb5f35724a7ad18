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

TEST(EngineAbsTest, Float) {
  Tensor y = OpCase("Abs").input(Tensor::from_vector<float>({4}, F{-1.5f, 0, 2, -0.0f})).run_one();
  expect_float_tensor(y, {4}, {1.5f, 0, 2, 0});
}

TEST(EngineAbsTest, Integers) {
  Tensor y = OpCase("Abs").input(Tensor::from_vector<int64_t>({3}, I{-4, 0, 9})).run_one();
  expect_int64_tensor(y, {3}, {4, 0, 9});
  Tensor z = OpCase("Abs")
                 .input(Tensor::from_vector<int8_t>({3}, std::vector<int8_t>{-128, -3, 5}))
                 .run_one();
  EXPECT_EQ(z.to_vector<int8_t>(), (std::vector<int8_t>{-128, 3, 5}));
  Tensor u = OpCase("Abs")
                 .input(Tensor::from_vector<uint32_t>({2}, std::vector<uint32_t>{7, 4000000000u}))
                 .run_one();
  EXPECT_EQ(u.to_vector<uint32_t>(), (std::vector<uint32_t>{7, 4000000000u}));
}

TEST(EngineAbsTest, Float16) {
  // float16 bits of -2.5 (0xC100) and 1.0 (0x3C00).
  Tensor x = Tensor::allocate(DataType::kFloat16, {2});
  x.mutable_data<uint16_t>()[0] = 0xC100;
  x.mutable_data<uint16_t>()[1] = 0x3C00;
  Tensor y = OpCase("Abs").input(x).run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat16);
  EXPECT_EQ(y.data<uint16_t>()[0], 0x4100);
  EXPECT_EQ(y.data<uint16_t>()[1], 0x3C00);
}

TEST(EngineAbsTest, BoolFails) {
  auto r = OpCase("Abs").input(Tensor::from_vector<bool>({1}, B{true})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype bool"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
