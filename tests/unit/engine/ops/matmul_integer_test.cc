#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineMatMulIntegerTest, Uint8WithZeroPoints) {
  Tensor y = OpCase("MatMulInteger", 10)
                 .input(Tensor::from_vector<uint8_t>({2, 2}, {11, 12, 13, 14}))
                 .input(Tensor::from_vector<uint8_t>({2, 1}, {3, 5}))
                 .input(Tensor::from_vector<uint8_t>({}, {10}))
                 .input(Tensor::from_vector<uint8_t>({1}, {1}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kInt32);
  ASSERT_EQ(y.shape(), (Shape{2, 1}));
  // [1 2; 3 4] x [2; 4]
  EXPECT_EQ(y.to_vector<int32_t>(), (std::vector<int32_t>{10, 22}));
}

TEST(EngineMatMulIntegerTest, Int8BatchBroadcastPerRowZeroPoint) {
  Tensor y = OpCase("MatMulInteger", 10)
                 .input(Tensor::from_vector<int8_t>({2, 1, 2}, {1, 2, -1, -2}))
                 .input(Tensor::from_vector<int8_t>({2, 2}, {1, 0, 0, 1}))
                 .input(Tensor::from_vector<int8_t>({1}, {1}))
                 .run_one();
  ASSERT_EQ(y.shape(), (Shape{2, 1, 2}));
  EXPECT_EQ(y.to_vector<int32_t>(), (std::vector<int32_t>{0, 1, -2, -3}));
}

TEST(EngineMatMulIntegerTest, ZeroPointDtypeMustMatch) {
  auto r = OpCase("MatMulInteger", 10)
               .input(Tensor::from_vector<uint8_t>({1, 1}, {1}))
               .input(Tensor::from_vector<uint8_t>({1, 1}, {1}))
               .input(Tensor::from_vector<int8_t>({}, {1}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("a_zero_point has dtype int8"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
