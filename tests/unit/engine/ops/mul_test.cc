#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineMulTest, BroadcastsColumn) {
  Tensor y = OpCase("Mul")
                 .input(Tensor::from_vector<float>({2, 3}, F{1, 2, 3, 4, 5, 6}))
                 .weight(Tensor::from_vector<float>({2, 1}, F{2, -1}))
                 .run_one();
  expect_float_tensor(y, {2, 3}, {2, 4, 6, -4, -5, -6});
}

TEST(EngineMulTest, Int64) {
  Tensor y = OpCase("Mul")
                 .input(Tensor::from_vector<int64_t>({3}, I{1, 2, 3}))
                 .input(Tensor::from_vector<int64_t>({1}, I{-3}))
                 .run_one();
  expect_int64_tensor(y, {3}, {-3, -6, -9});
}

TEST(EngineMulTest, Uint16ProductWrapsWithoutOverflow) {
  // 65535 * 65535 overflows a promoted int; the result must wrap modulo 2^16.
  Tensor y = OpCase("Mul")
                 .input(Tensor::from_vector<uint16_t>({2}, {65535, 300}))
                 .input(Tensor::from_vector<uint16_t>({2}, {65535, 300}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kUInt16);
  EXPECT_EQ(y.to_vector<uint16_t>(), (std::vector<uint16_t>{1, static_cast<uint16_t>(90000)}));
}

TEST(EngineMulTest, Int8AndUint32AndUint64) {
  Tensor i8 = OpCase("Mul")
                  .input(Tensor::from_vector<int8_t>({2}, {-3, 64}))
                  .input(Tensor::from_vector<int8_t>({2}, {5, 2}))
                  .run_one();
  EXPECT_EQ(i8.to_vector<int8_t>(), (std::vector<int8_t>{-15, -128}));
  Tensor u32 = OpCase("Mul")
                   .input(Tensor::from_vector<uint32_t>({1}, {0x80000001u}))
                   .input(Tensor::from_vector<uint32_t>({1}, {2}))
                   .run_one();
  EXPECT_EQ(u32.to_vector<uint32_t>(), (std::vector<uint32_t>{2}));
  Tensor u64 = OpCase("Mul")
                   .input(Tensor::from_vector<uint64_t>({1}, {1ull << 40}))
                   .input(Tensor::from_vector<uint64_t>({1}, {1ull << 20}))
                   .run_one();
  EXPECT_EQ(u64.to_vector<uint64_t>(), (std::vector<uint64_t>{1ull << 60}));
}

TEST(EngineMulTest, Float16ComputesInFloatAndRounds) {
  // float16 bits: 1.5 = 0x3E00, 2.0 = 0x4000, -0.5 = 0xB800, 3.0 = 0x4200, -1.0 = 0xBC00.
  Tensor a = Tensor::allocate(DataType::kFloat16, {2});
  a.mutable_data<uint16_t>()[0] = 0x3E00;
  a.mutable_data<uint16_t>()[1] = 0xB800;
  Tensor b = Tensor::allocate(DataType::kFloat16, {1});
  b.mutable_data<uint16_t>()[0] = 0x4000;
  Tensor y = OpCase("Mul").input(a).input(b).run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat16);
  ASSERT_EQ(y.shape(), (Shape{2}));
  EXPECT_EQ(y.data<uint16_t>()[0], 0x4200);
  EXPECT_EQ(y.data<uint16_t>()[1], 0xBC00);
}

}  // namespace
}  // namespace modelhost::engine::testing
