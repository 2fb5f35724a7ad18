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

// ONNX TensorProto data types.
constexpr int64_t kFloat = 1, kUInt8 = 2, kInt32 = 6, kInt64 = 7, kString = 8, kBool = 9,
                  kFloat16 = 10, kDouble = 11, kBFloat16 = 16, kFloat8E4M3FN = 17;

TEST(EngineCastTest, FloatToIntegersTruncates) {
  Tensor y = OpCase("Cast")
                 .input(Tensor::from_vector<float>({4}, F{1.7f, -2.7f, 0, 300}))
                 .attr("to", kInt32)
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kInt32);
  EXPECT_EQ(y.to_vector<int32_t>(), (std::vector<int32_t>{1, -2, 0, 300}));
  Tensor u = OpCase("Cast")
                 .input(Tensor::from_vector<double>({2}, D{255.9, 3}))
                 .attr("to", kUInt8)
                 .run_one();
  EXPECT_EQ(u.to_vector<uint8_t>(), (std::vector<uint8_t>{255, 3}));
}

TEST(EngineCastTest, BoolBothWays) {
  Tensor b = OpCase("Cast")
                 .input(Tensor::from_vector<float>({3}, F{0, -0.5f, 2}))
                 .attr("to", kBool)
                 .run_one();
  EXPECT_EQ(b.to_vector<bool>(), (B{false, true, true}));
  Tensor f = OpCase("Cast")
                 .input(Tensor::from_vector<bool>({2}, B{true, false}))
                 .attr("to", kFloat)
                 .run_one();
  expect_float_tensor(f, {2}, {1, 0});
}

TEST(EngineCastTest, IntegersToFloatAndDouble) {
  Tensor f = OpCase("Cast")
                 .input(Tensor::from_vector<int64_t>({2, 2}, I{1, -2, 3, 1 << 20}))
                 .attr("to", kFloat)
                 .run_one();
  expect_float_tensor(f, {2, 2}, {1, -2, 3, 1 << 20});
  Tensor d = OpCase("Cast")
                 .input(Tensor::from_vector<float>({1}, F{0.1f}))
                 .attr("to", kDouble)
                 .run_one();
  EXPECT_EQ(d.to_vector<double>(), (D{static_cast<double>(0.1f)}));
  Tensor i = OpCase("Cast")
                 .input(Tensor::from_vector<int32_t>({2}, std::vector<int32_t>{-1, 7}))
                 .attr("to", kInt64)
                 .run_one();
  expect_int64_tensor(i, {2}, {-1, 7});
}

TEST(EngineCastTest, HalfPrecision) {
  Tensor h = OpCase("Cast")
                 .input(Tensor::from_vector<float>({3}, F{1, -2.5f, 65504}))
                 .attr("to", kFloat16)
                 .run_one();
  ASSERT_EQ(h.dtype(), DataType::kFloat16);
  EXPECT_EQ(h.to_vector<uint16_t>(), (std::vector<uint16_t>{0x3C00, 0xC100, 0x7BFF}));
  Tensor back = OpCase("Cast").input(h).attr("to", kFloat).run_one();
  expect_float_tensor(back, {3}, {1, -2.5f, 65504});
  Tensor bf = OpCase("Cast")
                  .input(Tensor::from_vector<float>({2}, F{1, -2.5f}))
                  .attr("to", kBFloat16)
                  .run_one();
  ASSERT_EQ(bf.dtype(), DataType::kBFloat16);
  EXPECT_EQ(bf.to_vector<uint16_t>(), (std::vector<uint16_t>{0x3F80, 0xC020}));
  Tensor i = OpCase("Cast").input(h).attr("to", kInt64).run_one();
  expect_int64_tensor(i, {3}, {1, -2, 65504});
}

TEST(EngineCastTest, SaturateAcceptedFromOpset19) {
  Tensor y = OpCase("Cast", 19)
                 .input(Tensor::from_vector<float>({1}, F{2}))
                 .attr("to", kInt64)
                 .attr("saturate", int64_t{0})
                 .run_one();
  expect_int64_tensor(y, {1}, {2});
  EXPECT_FALSE(OpCase("Cast", 13)
                   .input(Tensor::from_vector<float>({1}, F{2}))
                   .attr("to", kInt64)
                   .attr("saturate", int64_t{0})
                   .run()
                   .ok());
}

TEST(EngineCastTest, StringAndFloat8FailAtLoad) {
  auto r = OpCase("Cast").input(Tensor::from_vector<float>({1}, F{1})).attr("to", kString).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cast to/from string is not supported"), std::string::npos)
      << r.status().message();
  EXPECT_FALSE(
      OpCase("Cast", 19).input(Tensor::from_vector<float>({1}, F{1})).attr("to", kFloat8E4M3FN).run().ok());
  EXPECT_FALSE(OpCase("Cast").input(Tensor::from_vector<float>({1}, F{1})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
