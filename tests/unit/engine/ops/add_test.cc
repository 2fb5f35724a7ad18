#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineAddTest, SameShape) {
  Tensor y = OpCase("Add")
                 .input(Tensor::from_vector<float>({2, 2}, F{1, 2, 3, 4}))
                 .input(Tensor::from_vector<float>({2, 2}, F{10, 20, 30, 40}))
                 .run_one();
  expect_float_tensor(y, {2, 2}, {11, 22, 33, 44});
}

TEST(EngineAddTest, BroadcastsRowAndColumn) {
  // [2,1] + [3] -> [2,3]
  Tensor y = OpCase("Add")
                 .input(Tensor::from_vector<float>({2, 1}, F{1, 2}))
                 .input(Tensor::from_vector<float>({3}, F{10, 20, 30}))
                 .run_one();
  expect_float_tensor(y, {2, 3}, {11, 21, 31, 12, 22, 32});
}

TEST(EngineAddTest, BroadcastsScalarAndMiddleDim) {
  Tensor s = OpCase("Add")
                 .input(Tensor::from_vector<float>({2, 2}, F{1, 2, 3, 4}))
                 .input(Tensor::from_vector<float>({}, F{0.5f}))
                 .run_one();
  expect_float_tensor(s, {2, 2}, {1.5f, 2.5f, 3.5f, 4.5f});
  // [2,1,2] + [1,3,1] -> [2,3,2]
  Tensor y = OpCase("Add")
                 .input(Tensor::from_vector<float>({2, 1, 2}, F{1, 2, 3, 4}))
                 .input(Tensor::from_vector<float>({1, 3, 1}, F{10, 20, 30}))
                 .run_one();
  expect_float_tensor(y, {2, 3, 2}, {11, 12, 21, 22, 31, 32, 13, 14, 23, 24, 33, 34});
}

TEST(EngineAddTest, Int64WithWeight) {
  Tensor y = OpCase("Add")
                 .input(Tensor::from_vector<int64_t>({3}, I{1, -2, 3}))
                 .weight(Tensor::from_vector<int64_t>({1}, I{100}))
                 .run_one();
  expect_int64_tensor(y, {3}, {101, 98, 103});
}

TEST(EngineAddTest, LargeBroadcastAcrossThreads) {
  const int64_t rows = 300, cols = 257;
  std::vector<float> a(rows * cols), b(cols);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(i % 97);
  for (size_t j = 0; j < b.size(); ++j) b[j] = static_cast<float>(j);
  Tensor y = OpCase("Add")
                 .threads(4)
                 .input(Tensor::from_vector<float>({rows, cols}, a))
                 .input(Tensor::from_vector<float>({cols}, b))
                 .run_one();
  ASSERT_EQ(y.shape(), (Shape{rows, cols}));
  for (int64_t i = 0; i < rows * cols; ++i) {
    ASSERT_EQ(y.data<float>()[i], a[static_cast<size_t>(i)] + b[static_cast<size_t>(i % cols)]);
  }
}

TEST(EngineAddTest, IncompatibleShapesFailNamingTheNode) {
  auto r = OpCase("Add")
               .input(Tensor::from_vector<float>({2, 3}, F(6)))
               .input(Tensor::from_vector<float>({4}, F(4)))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("node \"op\" (op Add"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("[2,3] and [4] cannot be broadcast"), std::string::npos);
}

TEST(EngineAddTest, MixedDtypesFail) {
  auto r = OpCase("Add")
               .input(Tensor::from_vector<float>({1}, F{1}))
               .input(Tensor::from_vector<int64_t>({1}, I{1}))
               .run();
  EXPECT_FALSE(r.ok());
}

TEST(EngineAddTest, NarrowIntegersWrap) {
  Tensor i8 = OpCase("Add")
                  .input(Tensor::from_vector<int8_t>({3}, {127, -128, 5}))
                  .input(Tensor::from_vector<int8_t>({3}, {1, -1, -7}))
                  .run_one();
  ASSERT_EQ(i8.dtype(), DataType::kInt8);
  EXPECT_EQ(i8.to_vector<int8_t>(), (std::vector<int8_t>{-128, 127, -2}));
  Tensor u8 = OpCase("Add")
                  .input(Tensor::from_vector<uint8_t>({2}, {250, 1}))
                  .input(Tensor::from_vector<uint8_t>({1}, {10}))
                  .run_one();
  ASSERT_EQ(u8.dtype(), DataType::kUInt8);
  EXPECT_EQ(u8.to_vector<uint8_t>(), (std::vector<uint8_t>{4, 11}));
}

TEST(EngineAddTest, WideUnsignedIntegers) {
  Tensor u64 = OpCase("Add")
                   .input(Tensor::from_vector<uint64_t>({2}, {0xFFFFFFFFFFFFFFFFull, 1ull << 63}))
                   .input(Tensor::from_vector<uint64_t>({2}, {2, 1}))
                   .run_one();
  EXPECT_EQ(u64.to_vector<uint64_t>(), (std::vector<uint64_t>{1, (1ull << 63) + 1}));
  Tensor u16 = OpCase("Add")
                   .input(Tensor::from_vector<uint16_t>({2}, {65535, 7}))
                   .input(Tensor::from_vector<uint16_t>({2}, {1, 3}))
                   .run_one();
  EXPECT_EQ(u16.to_vector<uint16_t>(), (std::vector<uint16_t>{0, 10}));
}

TEST(EngineAddTest, BoolIsRejectedNamingTheDtype) {
  auto r = OpCase("Add")
               .input(Tensor::from_vector<bool>({1}, {true}))
               .input(Tensor::from_vector<bool>({1}, {true}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bool"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
