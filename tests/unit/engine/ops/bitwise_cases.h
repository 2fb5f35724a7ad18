// The cases every binary bitwise op (BitwiseAnd, BitwiseOr, BitwiseXor) must pass; each op's test
// file names the op and the C++ operator that gives its expected values.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {

template <typename Fn>
void check_bitwise_op(const std::string& op, Fn f) {
  SCOPED_TRACE(op);
  Tensor i32 = OpCase(op, 18)
                   .input(Tensor::from_vector<int32_t>({3}, {0x0F0F, -1, 6}))
                   .input(Tensor::from_vector<int32_t>({3}, {0x00FF, 12345, 3}))
                   .run_one();
  ASSERT_EQ(i32.dtype(), DataType::kInt32);
  EXPECT_EQ(i32.to_vector<int32_t>(),
            (std::vector<int32_t>{f(0x0F0F, 0x00FF), f(-1, 12345), f(6, 3)}));

  // [2, 2] with [2]: numpy broadcasting.
  Tensor u8 = OpCase(op, 18)
                  .input(Tensor::from_vector<uint8_t>({2, 2}, {0x0C, 0xF0, 0xFF, 0x01}))
                  .input(Tensor::from_vector<uint8_t>({2}, {0x0A, 0x11}))
                  .run_one();
  ASSERT_EQ(u8.dtype(), DataType::kUInt8);
  auto b = [&](int u, int v) { return static_cast<uint8_t>(f(u, v)); };
  EXPECT_EQ(u8.to_vector<uint8_t>(),
            (std::vector<uint8_t>{b(0x0C, 0x0A), b(0xF0, 0x11), b(0xFF, 0x0A), b(0x01, 0x11)}));

  Tensor u64 = OpCase(op, 18)
                   .input(Tensor::from_vector<uint64_t>({1}, {0x8000000000000001ull}))
                   .input(Tensor::from_vector<uint64_t>({1}, {0xC000000000000003ull}))
                   .run_one();
  EXPECT_EQ(u64.to_vector<uint64_t>()[0], f(0x8000000000000001ull, 0xC000000000000003ull));

  auto r = OpCase(op, 18)
               .input(Tensor::from_vector<float>({1}, std::vector<float>{1}))
               .input(Tensor::from_vector<float>({1}, std::vector<float>{1}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("input 0 has dtype float32"), std::string::npos)
      << r.status().message();
}

}  // namespace modelhost::engine::testing
