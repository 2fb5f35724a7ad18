#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;

const F kX = {-3.5f, -1.25f, 0, 0.5f, 1.5f, 2.5f, 300, -300, 7, 8, 9, 10};

TEST(EngineQuantizeLinearTest, PerTensorRoundsHalfToEven) {
  Tensor y = OpCase("QuantizeLinear", 10)
                 .input(Tensor::from_vector<float>({6}, F{0, 2, 3, 1000, -254, -1000}))
                 .weight(Tensor::from_vector<float>({}, F{2}))
                 .weight(Tensor::from_vector<uint8_t>({}, {128}))
                 .run_one();
  // 3 / 2 = 1.5 rounds to 2; -254 / 2 + 128 = 1; the rest saturate.
  EXPECT_EQ(y.to_vector<uint8_t>(), (std::vector<uint8_t>{128, 129, 130, 255, 1, 0}));
}

TEST(EngineQuantizeLinearTest, PerAxis) {
  Tensor y = OpCase("QuantizeLinear", 13)
                 .input(Tensor::from_vector<float>({3, 4}, kX))
                 .weight(Tensor::from_vector<float>({3}, F{0.5f, 2, 4}))
                 .weight(Tensor::from_vector<uint8_t>({3}, {128, 0, 255}))
                 .attr("axis", int64_t{0})
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kUInt8);
  EXPECT_EQ(y.to_vector<uint8_t>(),
            (std::vector<uint8_t>{121, 126, 128, 129, 1, 1, 150, 0, 255, 255, 255, 255}));
}

TEST(EngineQuantizeLinearTest, BlockedInt8) {
  Tensor y = OpCase("QuantizeLinear", 21)
                 .input(Tensor::from_vector<float>({3, 4}, kX))
                 .weight(Tensor::from_vector<float>({3, 2}, F{0.5f, 1, 2, 0.25f, 1, 3}))
                 .weight(Tensor::from_vector<int8_t>({3, 2}, {-3, 0, 5, 1, 0, -1}))
                 .attr("axis", int64_t{1})
                 .attr("block_size", int64_t{2})
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kInt8);
  EXPECT_EQ(y.to_vector<int8_t>(),
            (std::vector<int8_t>{-10, -5, 0, 0, 6, 6, 127, -128, 7, 8, 2, 2}));
}

TEST(EngineQuantizeLinearTest, OutputDtypeWithoutZeroPoint) {
  Tensor y = OpCase("QuantizeLinear", 21)
                 .input(Tensor::from_vector<float>({3, 4}, kX))
                 .weight(Tensor::from_vector<float>({}, F{0.5f}))
                 .attr("output_dtype", int64_t{4})  // uint16
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kUInt16);
  EXPECT_EQ(y.to_vector<uint16_t>(),
            (std::vector<uint16_t>{0, 0, 0, 1, 3, 5, 600, 0, 14, 16, 18, 20}));
}

TEST(EngineQuantizeLinearTest, FourBitIntegersSaturate) {
  // Unlike Cast, which wraps, QuantizeLinear clamps to -8..7 and 0..15.
  Tensor y = OpCase("QuantizeLinear", 21)
                 .input(Tensor::from_vector<float>({5}, F{-100, -2.5f, 3, 13, 100}))
                 .weight(Tensor::from_vector<float>({}, F{1}))
                 .attr("output_dtype", int64_t{22})  // int4
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kInt4);
  EXPECT_EQ(y.to_vector<int8_t>(), (std::vector<int8_t>{-8, -2, 3, 7, 7}));
  Tensor zp = Tensor::allocate(DataType::kUInt4, {});
  zp.mutable_data<uint8_t>()[0] = 8;
  Tensor u = OpCase("QuantizeLinear", 21)
                 .input(Tensor::from_vector<float>({4}, F{-100, -3, 5, 100}))
                 .weight(Tensor::from_vector<float>({}, F{1}))
                 .weight(zp)
                 .run_one();
  ASSERT_EQ(u.dtype(), DataType::kUInt4);
  EXPECT_EQ(u.to_vector<uint8_t>(), (std::vector<uint8_t>{0, 5, 13, 15}));
}

TEST(EngineQuantizeLinearTest, Float8HonoursSaturate) {
  auto run = [](int64_t saturate) {
    return OpCase("QuantizeLinear", 19)
        .input(Tensor::from_vector<float>({3}, F{2, -1000, 1e6f}))
        .weight(Tensor::from_vector<float>({}, F{2}))
        .weight(Tensor::allocate(DataType::kFloat8E5M2, {}))
        .attr("saturate", saturate)
        .run_one();
  };
  Tensor sat = run(1);
  ASSERT_EQ(sat.dtype(), DataType::kFloat8E5M2);
  EXPECT_EQ(sat.to_vector<uint8_t>(), (std::vector<uint8_t>{0x3C, 0xE0, 0x7B}));     // 1, -512, max
  EXPECT_EQ(run(0).to_vector<uint8_t>(), (std::vector<uint8_t>{0x3C, 0xE0, 0x7C}));  // .., inf
}

TEST(EngineQuantizeLinearTest, Float4AddsItsZeroPoint) {
  Tensor y = OpCase("QuantizeLinear", 21)
                 .input(Tensor::from_vector<float>({3}, F{1, -3, 100}))
                 .weight(Tensor::from_vector<float>({}, F{2}))
                 .attr("output_dtype", int64_t{23})  // float4e2m1
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat4E2M1);
  EXPECT_EQ(y.to_vector<uint8_t>(), (std::vector<uint8_t>{0x1, 0xB, 0x7}));  // 0.5, -1.5, 6
}

TEST(EngineQuantizeLinearTest, Errors) {
  auto shape = OpCase("QuantizeLinear", 13)
                   .input(Tensor::from_vector<float>({3, 4}, kX))
                   .weight(Tensor::from_vector<float>({2}, F{1, 1}))
                   .attr("axis", int64_t{0})
                   .run();
  ASSERT_FALSE(shape.ok());
  EXPECT_NE(shape.status().message().find("per-axis scale needs 3 values"), std::string::npos)
      << shape.status().message();
  auto block = OpCase("QuantizeLinear", 21)
                   .input(Tensor::from_vector<float>({3, 4}, kX))
                   .weight(Tensor::from_vector<float>({3, 3}, F(9, 1.0f)))
                   .attr("axis", int64_t{1})
                   .attr("block_size", int64_t{2})
                   .run();
  ASSERT_FALSE(block.ok());
  EXPECT_NE(block.status().message().find("block_size 2"), std::string::npos)
      << block.status().message();
  auto mismatch = OpCase("QuantizeLinear", 21)
                      .input(Tensor::from_vector<float>({2}, F{1, 2}))
                      .weight(Tensor::from_vector<float>({}, F{1}))
                      .weight(Tensor::from_vector<int8_t>({}, {0}))
                      .attr("output_dtype", int64_t{2})  // uint8
                      .run();
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.status().message().find("output_dtype"), std::string::npos);
  auto bad_dtype = OpCase("QuantizeLinear", 21)
                       .input(Tensor::from_vector<float>({2}, F{1, 2}))
                       .weight(Tensor::from_vector<float>({}, F{1}))
                       .attr("output_dtype", int64_t{1})  // float32
                       .run();
  ASSERT_FALSE(bad_dtype.ok());
  EXPECT_NE(bad_dtype.status().message().find("QuantizeLinear output_dtype FLOAT is not supported"),
            std::string::npos)
      << bad_dtype.status().message();
  // block_size is an opset 21 attribute.
  auto old = OpCase("QuantizeLinear", 19)
                 .input(Tensor::from_vector<float>({2}, F{1, 2}))
                 .weight(Tensor::from_vector<float>({}, F{1}))
                 .attr("block_size", int64_t{2})
                 .run();
  ASSERT_FALSE(old.ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
