#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using U8 = std::vector<uint8_t>;

OpCase uint8_case(const Tensor& b_scale) {
  OpCase c("QLinearMatMul", 10);
  c.input(Tensor::from_vector<uint8_t>({2, 4}, U8{208, 236, 0, 238, 3, 214, 255, 29}))
      .input(Tensor::from_vector<float>({1}, {0.0066f}))
      .input(Tensor::from_vector<uint8_t>({1}, U8{113}))
      .input(Tensor::from_vector<uint8_t>(
          {4, 3}, U8{152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247}))
      .input(b_scale)
      .input(Tensor::from_vector<uint8_t>({1}, U8{114}))
      .input(Tensor::from_vector<float>({1}, {0.0107f}))
      .input(Tensor::from_vector<uint8_t>({1}, U8{118}));
  return c;
}

TEST(EngineQLinearMatMulTest, Uint8RequantizesAndSaturates) {
  Tensor y = uint8_case(Tensor::from_vector<float>({1}, {0.00705f})).run_one();
  ASSERT_EQ(y.dtype(), DataType::kUInt8);
  ASSERT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(y.to_vector<uint8_t>(), (U8{168, 115, 255, 1, 66, 151}));
}

TEST(EngineQLinearMatMulTest, Int8Batched) {
  // a - 1 = [[1, 2]] and [[-2, 0]]; b - 0 = identity; y = acc * 0.5 / 0.25 + 3.
  Tensor y = OpCase("QLinearMatMul", 21)
                 .input(Tensor::from_vector<int8_t>({2, 1, 2}, {2, 3, -1, 1}))
                 .input(Tensor::from_vector<float>({}, {0.5f}))
                 .input(Tensor::from_vector<int8_t>({}, {1}))
                 .input(Tensor::from_vector<int8_t>({2, 2}, {1, 0, 0, 1}))
                 .input(Tensor::from_vector<float>({}, {1.0f}))
                 .input(Tensor::from_vector<int8_t>({}, {0}))
                 .input(Tensor::from_vector<float>({}, {0.25f}))
                 .input(Tensor::from_vector<int8_t>({}, {3}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kInt8);
  EXPECT_EQ(y.to_vector<int8_t>(), (std::vector<int8_t>{5, 7, -1, 3}));
}

TEST(EngineQLinearMatMulTest, MismatchedScaleDtypesAreAnError) {
  auto r = uint8_case(Tensor::from_vector<double>({1}, {0.00705})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("must have the same dtype"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
