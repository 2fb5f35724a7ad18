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
constexpr int64_t kFloat = 1, kUInt8 = 2, kInt8 = 3, kInt32 = 6, kInt64 = 7, kString = 8, kBool = 9,
                  kFloat16 = 10, kDouble = 11, kBFloat16 = 16, kFloat8E4M3FN = 17, kFloat8E5M2 = 19,
                  kFloat8E5M2FNUZ = 20, kUInt4 = 21, kInt4 = 22, kFloat4E2M1 = 23, kFloat8E8M0 = 24,
                  kComplex64 = 14;

// A tensor of a narrow dtype from its element codes (one byte each).
Tensor narrow(DataType dt, Shape shape, const std::vector<uint8_t>& codes) {
  Tensor t = Tensor::allocate(dt, std::move(shape));
  for (size_t i = 0; i < codes.size(); ++i) t.mutable_data<uint8_t>()[i] = codes[i];
  return t;
}

std::vector<uint8_t> codes(const Tensor& t) { return t.to_vector<uint8_t>(); }

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
  Tensor d =
      OpCase("Cast").input(Tensor::from_vector<float>({1}, F{0.1f})).attr("to", kDouble).run_one();
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

TEST(EngineCastTest, StringAndComplexFailAtLoad) {
  auto r = OpCase("Cast").input(Tensor::from_vector<float>({1}, F{1})).attr("to", kString).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Cast to STRING is not supported"), std::string::npos)
      << r.status().message();
  auto c = OpCase("Cast").input(Tensor::from_vector<float>({1}, F{1})).attr("to", kComplex64).run();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("Cast to COMPLEX64 is not supported"), std::string::npos)
      << c.status().message();
  EXPECT_FALSE(OpCase("Cast").input(Tensor::from_vector<float>({1}, F{1})).run().ok());
}

TEST(EngineCastTest, Float8SaturateOrNot) {
  const F x = {1, -2, 1e6f, -std::numeric_limits<float>::infinity(), 0.4789f};
  Tensor sat = OpCase("Cast", 19)
                   .input(Tensor::from_vector<float>({5}, x))
                   .attr("to", kFloat8E4M3FN)
                   .run_one();
  ASSERT_EQ(sat.dtype(), DataType::kFloat8E4M3FN);
  EXPECT_EQ(codes(sat), (std::vector<uint8_t>{0x38, 0xC0, 0x7E, 0xFE, 0x2F}));
  Tensor raw = OpCase("Cast", 19)
                   .input(Tensor::from_vector<float>({5}, x))
                   .attr("to", kFloat8E5M2)
                   .attr("saturate", int64_t{0})
                   .run_one();
  EXPECT_EQ(codes(raw), (std::vector<uint8_t>{0x3C, 0xC0, 0x7C, 0xFC, 0x38}));
  // float8 -> float16 decodes exactly; fnuz has no infinity, so 1e6 unsaturated is NaN.
  Tensor h = OpCase("Cast", 19).input(sat).attr("to", kFloat16).run_one();
  EXPECT_EQ(h.to_vector<uint16_t>(),
            (std::vector<uint16_t>{0x3C00, 0xC000, 0x5F00, 0xDF00, 0x3780}));
  Tensor nan = OpCase("Cast", 19)
                   .input(Tensor::from_vector<float>({1}, F{1e6f}))
                   .attr("to", kFloat8E5M2FNUZ)
                   .attr("saturate", int64_t{0})
                   .run_one();
  Tensor back = OpCase("Cast", 19).input(nan).attr("to", kFloat).run_one();
  EXPECT_TRUE(std::isnan(back.to_vector<float>()[0]));
}

TEST(EngineCastTest, FourBitIntegersWrap) {
  Tensor i4 = OpCase("Cast", 21)
                  .input(Tensor::from_vector<float>({5}, F{-9, -8.7f, 7, 8, 15}))
                  .attr("to", kInt4)
                  .run_one();
  ASSERT_EQ(i4.dtype(), DataType::kInt4);
  EXPECT_EQ(i4.to_vector<int8_t>(), (std::vector<int8_t>{7, -8, 7, -8, -1}));
  Tensor u4 = OpCase("Cast", 21)
                  .input(Tensor::from_vector<int64_t>({3}, I{-1, 16, 9}))
                  .attr("to", kUInt4)
                  .run_one();
  EXPECT_EQ(codes(u4), (std::vector<uint8_t>{15, 0, 9}));
  Tensor i8 = OpCase("Cast", 21).input(i4).attr("to", kInt8).run_one();
  EXPECT_EQ(i8.to_vector<int8_t>(), (std::vector<int8_t>{7, -8, 7, -8, -1}));
  Tensor f = OpCase("Cast", 21).input(u4).attr("to", kFloat).run_one();
  expect_float_tensor(f, {3}, {15, 0, 9});
}

TEST(EngineCastTest, Float4AndE8M0) {
  Tensor f4 = OpCase("Cast", 23)
                  .input(Tensor::from_vector<float>({4}, F{0.48f, -3.5f, 9, 0.25f}))
                  .attr("to", kFloat4E2M1)
                  .run_one();
  ASSERT_EQ(f4.dtype(), DataType::kFloat4E2M1);
  EXPECT_EQ(codes(f4), (std::vector<uint8_t>{0x1, 0xE, 0x7, 0x0}));
  Tensor back = OpCase("Cast", 23).input(f4).attr("to", kFloat).run_one();
  expect_float_tensor(back, {4}, {0.5f, -4, 6, 0});
  auto e8m0 = [](const std::string& mode) {
    return codes(OpCase("Cast", 24)
                     .input(Tensor::from_vector<float>({3}, F{1.1f, 1.6f, 4}))
                     .attr("to", kFloat8E8M0)
                     .attr("round_mode", mode)
                     .run_one());
  };
  EXPECT_EQ(e8m0("up"), (std::vector<uint8_t>{128, 128, 129}));
  EXPECT_EQ(e8m0("nearest"), (std::vector<uint8_t>{127, 128, 129}));
  EXPECT_EQ(e8m0("down"), (std::vector<uint8_t>{127, 127, 129}));
  Tensor p = OpCase("Cast", 24)
                 .input(narrow(DataType::kFloat8E8M0, {2}, {0, 130}))
                 .attr("to", kFloat)
                 .run_one();
  expect_float_tensor(p, {2}, {std::ldexp(1.0f, -127), 8});
}

TEST(EngineCastTest, RoundModeIsCheckedAndNewInOpset24) {
  auto bad = OpCase("Cast", 24)
                 .input(Tensor::from_vector<float>({1}, F{1}))
                 .attr("to", kFloat8E8M0)
                 .attr("round_mode", std::string("sideways"))
                 .run();
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("round_mode \"sideways\" must be up, nearest or down"),
            std::string::npos)
      << bad.status().message();
  EXPECT_FALSE(OpCase("Cast", 23)
                   .input(Tensor::from_vector<float>({1}, F{1}))
                   .attr("to", kFloat8E8M0)
                   .attr("round_mode", std::string("up"))
                   .run()
                   .ok());
}

TEST(EngineCastTest, NarrowInitializersLoadFromPackedFiles) {
  // The weight travels packed (three bytes for five int4 values) and is unpacked at load.
  Tensor w = narrow(DataType::kInt4, {5}, {0xFF, 0xF8, 7, 0, 1});
  Tensor y = OpCase("Cast", 21).weight(w).attr("to", kInt32).run_one();
  EXPECT_EQ(y.to_vector<int32_t>(), (std::vector<int32_t>{-1, -8, 7, 0, 1}));
  Tensor f8 = narrow(DataType::kFloat8E4M3FN, {2}, {0x38, 0xFE});
  Tensor z = OpCase("Cast", 21).weight(f8).attr("to", kFloat).run_one();
  expect_float_tensor(z, {2}, {1, -448});
}

}  // namespace
}  // namespace modelhost::engine::testing
