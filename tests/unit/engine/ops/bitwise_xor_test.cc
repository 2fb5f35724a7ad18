#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineBitwiseXorTest, Int32SameShape) {
  Tensor y = OpCase("BitwiseXor", 18)
                 .input(Tensor::from_vector<int32_t>({3}, {0x0F0F, -1, 6}))
                 .input(Tensor::from_vector<int32_t>({3}, {0x00FF, 12345, 3}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kInt32);
  EXPECT_EQ(y.to_vector<int32_t>(), (std::vector<int32_t>{0x0F0F ^ 0x00FF, -1 ^ 12345, 6 ^ 3}));
}

TEST(EngineBitwiseXorTest, Uint8Broadcast) {
  Tensor y = OpCase("BitwiseXor", 18)
                 .input(Tensor::from_vector<uint8_t>({2, 2}, {0x0C, 0xF0, 0xFF, 0x01}))
                 .input(Tensor::from_vector<uint8_t>({2}, {0x0A, 0x11}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kUInt8);
  EXPECT_EQ(y.to_vector<uint8_t>(),
            (std::vector<uint8_t>{0x0C ^ 0x0A, 0xF0 ^ 0x11, 0xFF ^ 0x0A, 0x01 ^ 0x11}));
}

TEST(EngineBitwiseXorTest, Uint64HighBits) {
  Tensor y = OpCase("BitwiseXor", 18)
                 .input(Tensor::from_vector<uint64_t>({1}, {0x8000000000000001ull}))
                 .input(Tensor::from_vector<uint64_t>({1}, {0xC000000000000003ull}))
                 .run_one();
  EXPECT_EQ(y.to_vector<uint64_t>()[0], 0x8000000000000001ull ^ 0xC000000000000003ull);
}

TEST(EngineBitwiseXorTest, FloatIsRejected) {
  auto r = OpCase("BitwiseXor", 18)
               .input(Tensor::from_vector<float>({1}, F{1}))
               .input(Tensor::from_vector<float>({1}, F{1}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("input 0 has dtype float32"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
