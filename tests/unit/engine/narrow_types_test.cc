// The float8 / float4 / e8m0 codecs and the 4-bit packing of ir/narrow_types.h, checked against
// values worked out from each format's definition.
#include "engine/ir/narrow_types.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace modelhost::engine {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

uint8_t enc(DataType dt, float v, bool saturate = true) { return float_to_narrow(dt, v, saturate); }

// Every code that is not NaN decodes to a value that encodes back to the same code.
void expect_round_trip(DataType dt, int codes) {
  int nans = 0;
  for (int c = 0; c < codes; ++c) {
    const float v = narrow_to_float(dt, static_cast<uint8_t>(c));
    if (std::isnan(v)) {
      ++nans;
      continue;
    }
    EXPECT_EQ(enc(dt, v, /*saturate=*/false), c) << dtype_name(dt) << " code " << c << " = " << v;
  }
  EXPECT_LE(nans, 6) << dtype_name(dt);
}

TEST(NarrowTypesTest, EveryCodeRoundTrips) {
  expect_round_trip(DataType::kFloat8E4M3FN, 256);
  expect_round_trip(DataType::kFloat8E4M3FNUZ, 256);
  expect_round_trip(DataType::kFloat8E5M2, 256);
  expect_round_trip(DataType::kFloat8E5M2FNUZ, 256);
  expect_round_trip(DataType::kFloat4E2M1, 16);
}

TEST(NarrowTypesTest, E4M3FN) {
  const auto dt = DataType::kFloat8E4M3FN;
  EXPECT_EQ(enc(dt, 1.0f), 0x38);
  EXPECT_EQ(enc(dt, -2.0f), 0xC0);
  EXPECT_EQ(enc(dt, 448.0f), 0x7E);
  EXPECT_EQ(narrow_to_float(dt, 0x7E), 448.0f);
  EXPECT_EQ(narrow_to_float(dt, 0x01), std::ldexp(1.0f, -9));  // smallest subnormal
  // 464 lies halfway between 448 (even mantissa) and 480 (the NaN code): ties to even.
  EXPECT_EQ(enc(dt, 464.0f, false), 0x7E);
  EXPECT_EQ(enc(dt, 470.0f, true), 0x7E);
  EXPECT_TRUE(std::isnan(narrow_to_float(dt, enc(dt, 470.0f, false))));
  EXPECT_EQ(enc(dt, kInf, true), 0x7E);
  EXPECT_EQ(enc(dt, -kInf, true), 0xFE);
  EXPECT_TRUE(std::isnan(narrow_to_float(dt, enc(dt, kInf, false))));
  EXPECT_TRUE(std::isnan(narrow_to_float(dt, enc(dt, kNaN))));
  EXPECT_EQ(enc(dt, -0.0f), 0x80);
  // Subnormals round to nearest even: 2^-10 is half the smallest, 3 * 2^-10 one and a half.
  EXPECT_EQ(enc(dt, std::ldexp(1.0f, -10)), 0x00);
  EXPECT_EQ(enc(dt, 3 * std::ldexp(1.0f, -10)), 0x02);
  EXPECT_EQ(enc(dt, 0.4789f), 0x2F);  // between 0.46875 (0x2F) and 0.5 (0x30), nearer the first
}

TEST(NarrowTypesTest, E4M3FNUZHasNoNegativeZero) {
  const auto dt = DataType::kFloat8E4M3FNUZ;
  EXPECT_EQ(enc(dt, -0.0f), 0x00);
  EXPECT_EQ(enc(dt, -1e-9f), 0x00);  // rounds to zero, and zero has no sign
  EXPECT_TRUE(std::isnan(narrow_to_float(dt, 0x80)));
  EXPECT_EQ(narrow_to_float(dt, 0x7F), 240.0f);
  EXPECT_EQ(enc(dt, 1.0f), 0x40);  // bias 8
  EXPECT_EQ(enc(dt, 1000.0f, true), 0x7F);
  EXPECT_EQ(enc(dt, 1000.0f, false), 0x80);
  EXPECT_EQ(enc(dt, -kInf, false), 0x80);
}

TEST(NarrowTypesTest, E5M2HasInfinity) {
  const auto dt = DataType::kFloat8E5M2;
  EXPECT_EQ(enc(dt, 1.0f), 0x3C);  // the top byte of float16 1.0
  EXPECT_EQ(enc(dt, 57344.0f), 0x7B);
  EXPECT_EQ(enc(dt, 1e6f, true), 0x7B);
  EXPECT_EQ(enc(dt, 1e6f, false), 0x7C);
  EXPECT_EQ(enc(dt, -kInf, false), 0xFC);
  EXPECT_EQ(enc(dt, -kInf, true), 0xFB);
  EXPECT_EQ(narrow_to_float(dt, 0x7C), kInf);
  EXPECT_TRUE(std::isnan(narrow_to_float(dt, enc(dt, kNaN))));
}

TEST(NarrowTypesTest, E5M2FNUZ) {
  const auto dt = DataType::kFloat8E5M2FNUZ;
  EXPECT_EQ(narrow_to_float(dt, 0x7F), 57344.0f);
  EXPECT_EQ(enc(dt, 1.0f), 0x40);  // bias 16
  EXPECT_EQ(enc(dt, kInf, false), 0x80);
  EXPECT_EQ(enc(dt, kInf, true), 0x7F);
  EXPECT_EQ(enc(dt, -0.0f), 0x00);
}

TEST(NarrowTypesTest, Float4E2M1SaturatesAndHasNoNaN) {
  const auto dt = DataType::kFloat4E2M1;
  const std::vector<float> values = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6};
  for (uint8_t c = 0; c < 8; ++c) {
    EXPECT_EQ(narrow_to_float(dt, c), values[c]);
    EXPECT_EQ(narrow_to_float(dt, c | 0x8), -values[c]);
  }
  EXPECT_EQ(enc(dt, 0.25f), 0x0);  // tie between 0 and 0.5: even
  EXPECT_EQ(enc(dt, 0.75f), 0x2);  // tie between 0.5 and 1: even (1)
  EXPECT_EQ(enc(dt, 5.0f), 0x6);   // tie between 4 and 6: even (4)
  EXPECT_EQ(enc(dt, -3.5f), 0xE);  // -4
  EXPECT_EQ(enc(dt, 1e6f, false), 0x7);
  EXPECT_EQ(enc(dt, -kInf, false), 0xF);
  EXPECT_EQ(enc(dt, kNaN), 0x8);
}

TEST(NarrowTypesTest, E8M0RoundingModes) {
  const auto dt = DataType::kFloat8E8M0;
  EXPECT_EQ(narrow_to_float(dt, 127), 1.0f);
  EXPECT_EQ(narrow_to_float(dt, 0), std::ldexp(1.0f, -127));
  EXPECT_TRUE(std::isnan(narrow_to_float(dt, 0xFF)));
  EXPECT_EQ(float_to_narrow(dt, 1.0f, true, E8M0Rounding::kUp), 127);
  EXPECT_EQ(float_to_narrow(dt, 1.1f, true, E8M0Rounding::kUp), 128);
  EXPECT_EQ(float_to_narrow(dt, 1.1f, true, E8M0Rounding::kNearest), 127);
  EXPECT_EQ(float_to_narrow(dt, 1.6f, true, E8M0Rounding::kNearest), 128);
  EXPECT_EQ(float_to_narrow(dt, 1.9f, true, E8M0Rounding::kDown), 127);
  EXPECT_EQ(float_to_narrow(dt, 0.124f, true, E8M0Rounding::kUp), 124);  // 0.125
  EXPECT_EQ(float_to_narrow(dt, kNaN, true), 0xFF);
  const float big = std::ldexp(1.5f, 127);
  EXPECT_EQ(float_to_narrow(dt, big, true, E8M0Rounding::kUp), 254);
  EXPECT_EQ(float_to_narrow(dt, big, false, E8M0Rounding::kUp), 255);
}

TEST(NarrowTypesTest, FourBitWrapAndPacking) {
  EXPECT_EQ(wrap_int4(-9), 7);
  EXPECT_EQ(wrap_int4(8), -8);
  EXPECT_EQ(wrap_int4(-1), -1);
  EXPECT_EQ(wrap_uint4(-1), 15);
  EXPECT_EQ(wrap_uint4(16), 0);
  // Five int4 values: low nibble first, the last byte's high nibble unused.
  const std::vector<uint8_t> packed = {0x8F, 0x07, 0x01};
  std::vector<uint8_t> out(5);
  unpack_4bit(DataType::kInt4, packed, out.data(), out.size());
  EXPECT_EQ(std::vector<int8_t>(out.begin(), out.end()), (std::vector<int8_t>{-1, -8, 7, 0, 1}));
  unpack_4bit(DataType::kUInt4, packed, out.data(), out.size());
  EXPECT_EQ(out, (std::vector<uint8_t>{15, 8, 7, 0, 1}));
  std::vector<uint8_t> repacked(3);
  pack_4bit(out, repacked.data());
  EXPECT_EQ(repacked, packed);
}

TEST(NarrowTypesTest, OnnxCodes) {
  EXPECT_EQ(dtype_from_onnx_code(17), DataType::kFloat8E4M3FN);
  EXPECT_EQ(dtype_from_onnx_code(22), DataType::kInt4);
  EXPECT_EQ(dtype_from_onnx_code(24), DataType::kFloat8E8M0);
  EXPECT_EQ(dtype_from_onnx_code(8), std::nullopt);  // STRING
  EXPECT_EQ(dtype_from_onnx_code(0), std::nullopt);
  EXPECT_EQ(dtype_onnx_code(DataType::kFloat4E2M1), 23);
  EXPECT_EQ(onnx_type_name(8), "STRING");
  EXPECT_EQ(onnx_type_name(99), "99");
  for (int code = 1; code <= 24; ++code) {
    if (auto dt = dtype_from_onnx_code(code)) EXPECT_EQ(dtype_onnx_code(*dt), code);
  }
  EXPECT_TRUE(dtype_is_narrow(DataType::kUInt4));
  EXPECT_FALSE(dtype_is_narrow(DataType::kBool));
}

}  // namespace
}  // namespace modelhost::engine
