#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineSubTest, BroadcastsFirstOperand) {
  // [3] - [2,3]
  Tensor y = OpCase("Sub")
                 .input(Tensor::from_vector<float>({3}, F{10, 20, 30}))
                 .input(Tensor::from_vector<float>({2, 3}, F{1, 2, 3, 4, 5, 6}))
                 .run_one();
  expect_float_tensor(y, {2, 3}, {9, 18, 27, 6, 15, 24});
}

TEST(EngineSubTest, Int64) {
  Tensor y = OpCase("Sub")
                 .input(Tensor::from_vector<int64_t>({2}, I{5, 7}))
                 .input(Tensor::from_vector<int64_t>({}, I{10}))
                 .run_one();
  expect_int64_tensor(y, {2}, {-5, -3});
}

TEST(EngineSubTest, UnsignedWrapsBelowZero) {
  Tensor u8 = OpCase("Sub")
                  .input(Tensor::from_vector<uint8_t>({2}, {1, 200}))
                  .input(Tensor::from_vector<uint8_t>({2}, {2, 100}))
                  .run_one();
  ASSERT_EQ(u8.dtype(), DataType::kUInt8);
  EXPECT_EQ(u8.to_vector<uint8_t>(), (std::vector<uint8_t>{255, 100}));
  Tensor u32 = OpCase("Sub")
                   .input(Tensor::from_vector<uint32_t>({1}, {0}))
                   .input(Tensor::from_vector<uint32_t>({1}, {1}))
                   .run_one();
  EXPECT_EQ(u32.to_vector<uint32_t>(), (std::vector<uint32_t>{0xFFFFFFFFu}));
}

TEST(EngineSubTest, Int16Broadcast) {
  Tensor y = OpCase("Sub")
                 .input(Tensor::from_vector<int16_t>({2, 2}, {1, 2, 3, -32768}))
                 .input(Tensor::from_vector<int16_t>({2}, {10, 1}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kInt16);
  EXPECT_EQ(y.to_vector<int16_t>(), (std::vector<int16_t>{-9, 1, -7, 32767}));
}

}  // namespace
}  // namespace modelhost::engine::testing
