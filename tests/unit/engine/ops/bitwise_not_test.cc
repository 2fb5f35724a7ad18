#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineBitwiseNotTest, SignedAndUnsigned) {
  Tensor i =
      OpCase("BitwiseNot", 18).input(Tensor::from_vector<int16_t>({3}, {0, -1, 5})).run_one();
  ASSERT_EQ(i.dtype(), DataType::kInt16);
  EXPECT_EQ(i.to_vector<int16_t>(), (std::vector<int16_t>{-1, 0, -6}));
  Tensor u = OpCase("BitwiseNot", 18).input(Tensor::from_vector<uint8_t>({2}, {0, 0x0F})).run_one();
  EXPECT_EQ(u.to_vector<uint8_t>(), (std::vector<uint8_t>{0xFF, 0xF0}));
  Tensor u64 = OpCase("BitwiseNot", 18).input(Tensor::from_vector<uint64_t>({1}, {1})).run_one();
  EXPECT_EQ(u64.to_vector<uint64_t>()[0], ~1ull);
}

TEST(EngineBitwiseNotTest, BoolAndFloatAreRejected) {
  auto b = OpCase("BitwiseNot", 18).input(Tensor::from_vector<bool>({1}, {true})).run();
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("BitwiseNot supports"), std::string::npos)
      << b.status().message();
  EXPECT_FALSE(OpCase("BitwiseNot", 18).input(Tensor::from_vector<float>({1}, F{1})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
