#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineDynamicQuantizeLinearTest, RangeIncludesZero) {
  auto r = OpCase("DynamicQuantizeLinear", 11)
               .input(Tensor::from_vector<float>({4}, F{-1.0f, 0.5f, 2.0f, 3.0f}))
               .outputs(3)
               .run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ((*r)[0].dtype(), DataType::kUInt8);
  EXPECT_EQ((*r)[0].to_vector<uint8_t>(), (std::vector<uint8_t>{0, 96, 191, 255}));
  expect_float_tensor((*r)[1], {}, {4.0f / 255.0f});
  EXPECT_EQ((*r)[2].to_vector<uint8_t>(), (std::vector<uint8_t>{64}));
}

TEST(EngineDynamicQuantizeLinearTest, AllZerosUseScaleOneOver255) {
  auto r = OpCase("DynamicQuantizeLinear", 11)
               .input(Tensor::from_vector<float>({2}, F{0, 0}))
               .outputs(3)
               .run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)[0].to_vector<uint8_t>(), (std::vector<uint8_t>{0, 0}));
  expect_float_tensor((*r)[1], {}, {1.0f / 255.0f});
}

TEST(EngineDynamicQuantizeLinearTest, Float64IsRejected) {
  EXPECT_FALSE(OpCase("DynamicQuantizeLinear", 11)
                   .input(Tensor::from_vector<double>({1}, {1.0}))
                   .outputs(3)
                   .run()
                   .ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
