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
