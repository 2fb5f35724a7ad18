#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;

TEST(EngineDequantizeLinearTest, PerAxisUint8) {
  Tensor y = OpCase("DequantizeLinear", 13)
                 .input(Tensor::from_vector<uint8_t>({2, 3}, {0, 255, 10, 128, 3, 200}))
                 .weight(Tensor::from_vector<float>({3}, F{0.5f, 2, 0.1f}))
                 .weight(Tensor::from_vector<uint8_t>({3}, {128, 3, 0}))
                 .run_one();
  expect_float_tensor(y, {2, 3}, {-64, 504, 1, 0, 0, 20});
}

TEST(EngineDequantizeLinearTest, Int32WithoutZeroPoint) {
  Tensor y = OpCase("DequantizeLinear", 10)
                 .input(Tensor::from_vector<int32_t>({4}, {-100, 5, 70000, -7}))
                 .weight(Tensor::from_vector<float>({}, F{0.5f}))
                 .run_one();
  expect_float_tensor(y, {4}, {-50, 2.5f, 35000, -3.5f});
}

TEST(EngineDequantizeLinearTest, BlockedInt16) {
  // Blocks of 2 along axis 1; the last block of 3 columns is short.
  Tensor y = OpCase("DequantizeLinear", 21)
                 .input(Tensor::from_vector<int16_t>({2, 3}, {10, 20, 30, -10, -20, -30}))
                 .weight(Tensor::from_vector<float>({2, 2}, F{1, 0.5f, 2, 0.25f}))
                 .weight(Tensor::from_vector<int16_t>({2, 2}, {0, 10, 5, 0}))
                 .attr("axis", int64_t{1})
                 .attr("block_size", int64_t{2})
                 .run_one();
  expect_float_tensor(y, {2, 3}, {10, 20, 10, -30, -50, -7.5f});
}

TEST(EngineDequantizeLinearTest, Errors) {
  auto zp = OpCase("DequantizeLinear", 13)
                .input(Tensor::from_vector<uint8_t>({2}, {1, 2}))
                .weight(Tensor::from_vector<float>({}, F{1}))
                .weight(Tensor::from_vector<int8_t>({}, {0}))
                .run();
  ASSERT_FALSE(zp.ok());
  EXPECT_NE(zp.status().message().find("x_zero_point dtype int8"), std::string::npos)
      << zp.status().message();
  auto x = OpCase("DequantizeLinear", 13)
               .input(Tensor::from_vector<float>({2}, F{1, 2}))
               .weight(Tensor::from_vector<float>({}, F{1}))
               .run();
  ASSERT_FALSE(x.ok());
  EXPECT_NE(x.status().message().find("float32"), std::string::npos) << x.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
