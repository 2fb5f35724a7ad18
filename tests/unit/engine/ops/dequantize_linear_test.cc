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

// A tensor of a narrow dtype from its element codes (one byte each).
Tensor narrow(DataType dt, Shape shape, const std::vector<uint8_t>& codes) {
  Tensor t = Tensor::allocate(dt, std::move(shape));
  for (size_t i = 0; i < codes.size(); ++i) t.mutable_data<uint8_t>()[i] = codes[i];
  return t;
}

TEST(EngineDequantizeLinearTest, FourBitIntegers) {
  // int4 -8, -1, 7 with zero point -1; uint4 0, 15 with zero point 8.
  Tensor y = OpCase("DequantizeLinear", 21)
                 .input(narrow(DataType::kInt4, {3}, {0xF8, 0xFF, 7}))
                 .weight(Tensor::from_vector<float>({}, F{0.5f}))
                 .weight(narrow(DataType::kInt4, {}, {0xFF}))
                 .run_one();
  expect_float_tensor(y, {3}, {-3.5f, 0, 4});
  Tensor u = OpCase("DequantizeLinear", 21)
                 .input(narrow(DataType::kUInt4, {2}, {0, 15}))
                 .weight(Tensor::from_vector<float>({}, F{2}))
                 .weight(narrow(DataType::kUInt4, {}, {8}))
                 .run_one();
  expect_float_tensor(u, {2}, {-16, 14});
}

TEST(EngineDequantizeLinearTest, Float8AndFloat4) {
  // e4m3fn 1, -448, 0.5 scaled by 2; float4e2m1 -6, 1.5 per axis.
  Tensor y = OpCase("DequantizeLinear", 19)
                 .input(narrow(DataType::kFloat8E4M3FN, {3}, {0x38, 0xFE, 0x30}))
                 .weight(Tensor::from_vector<float>({}, F{2}))
                 .run_one();
  expect_float_tensor(y, {3}, {2, -896, 1});
  Tensor f4 = OpCase("DequantizeLinear", 21)
                  .input(narrow(DataType::kFloat4E2M1, {2}, {0xF, 0x3}))
                  .weight(Tensor::from_vector<float>({2}, F{1, 4}))
                  .attr("axis", int64_t{0})
                  .run_one();
  expect_float_tensor(f4, {2}, {-6, 6});
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
