#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineDivTest, Float) {
  Tensor y = OpCase("Div")
                 .input(Tensor::from_vector<float>({2, 2}, F{1, 2, 3, 4}))
                 .input(Tensor::from_vector<float>({2}, F{2, 4}))
                 .run_one();
  expect_float_tensor(y, {2, 2}, {0.5f, 0.5f, 1.5f, 1.0f});
}

TEST(EngineDivTest, Int64TruncatesTowardZero) {
  Tensor y = OpCase("Div")
                 .input(Tensor::from_vector<int64_t>({3}, I{7, -7, 9}))
                 .input(Tensor::from_vector<int64_t>({3}, I{2, 2, -3}))
                 .run_one();
  expect_int64_tensor(y, {3}, {3, -3, -3});
}

TEST(EngineDivTest, Int64DivisionByZeroIsAnError) {
  auto r = OpCase("Div")
               .input(Tensor::from_vector<int64_t>({2}, I{1, 2}))
               .input(Tensor::from_vector<int64_t>({2}, I{1, 0}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("division by zero"), std::string::npos);
}

TEST(EngineDivTest, UnsignedAllOnesDivisorIsNotMinusOne) {
  // 0xFFFFFFFF as a uint32 divisor is a large number, not -1.
  Tensor y = OpCase("Div")
                 .input(Tensor::from_vector<uint32_t>({2}, {0xFFFFFFFFu, 7}))
                 .input(Tensor::from_vector<uint32_t>({2}, {0xFFFFFFFFu, 0xFFFFFFFFu}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kUInt32);
  EXPECT_EQ(y.to_vector<uint32_t>(), (std::vector<uint32_t>{1, 0}));
  Tensor u64 = OpCase("Div")
                   .input(Tensor::from_vector<uint64_t>({1}, {~0ull}))
                   .input(Tensor::from_vector<uint64_t>({1}, {~0ull}))
                   .run_one();
  EXPECT_EQ(u64.to_vector<uint64_t>(), (std::vector<uint64_t>{1}));
}

TEST(EngineDivTest, Int8MinByMinusOneWraps) {
  Tensor y = OpCase("Div")
                 .input(Tensor::from_vector<int8_t>({3}, {-128, 7, -7}))
                 .input(Tensor::from_vector<int8_t>({3}, {-1, 2, 2}))
                 .run_one();
  EXPECT_EQ(y.to_vector<int8_t>(), (std::vector<int8_t>{-128, 3, -3}));
  Tensor u8 = OpCase("Div")
                  .input(Tensor::from_vector<uint8_t>({2}, {255, 9}))
                  .input(Tensor::from_vector<uint8_t>({1}, {4}))
                  .run_one();
  EXPECT_EQ(u8.to_vector<uint8_t>(), (std::vector<uint8_t>{63, 2}));
}

TEST(EngineDivTest, Uint16DivisionByZeroIsAnError) {
  auto r = OpCase("Div")
               .input(Tensor::from_vector<uint16_t>({1}, {3}))
               .input(Tensor::from_vector<uint16_t>({1}, {0}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("division by zero"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
