#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

Tensor image() {
  std::vector<uint8_t> v(9);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<uint8_t>(i + 2);
  return Tensor::from_vector<uint8_t>({1, 1, 3, 3}, v);
}

TEST(EngineConvIntegerTest, XZeroPoint) {
  Tensor y = OpCase("ConvInteger", 10)
                 .input(image())
                 .input(Tensor::from_vector<uint8_t>({1, 1, 2, 2}, {1, 1, 1, 1}))
                 .input(Tensor::from_vector<uint8_t>({}, {1}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kInt32);
  ASSERT_EQ(y.shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(y.to_vector<int32_t>(), (std::vector<int32_t>{12, 16, 24, 28}));
}

TEST(EngineConvIntegerTest, PaddingContributesNothing) {
  Tensor y = OpCase("ConvInteger", 10)
                 .input(image())
                 .input(Tensor::from_vector<uint8_t>({1, 1, 2, 2}, {1, 1, 1, 1}))
                 .input(Tensor::from_vector<uint8_t>({}, {1}))
                 .attr("pads", std::vector<int64_t>{1, 1, 1, 1})
                 .run_one();
  EXPECT_EQ(y.to_vector<int32_t>(),
            (std::vector<int32_t>{1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15, 17, 9}));
}

TEST(EngineConvIntegerTest, GroupsWithPerChannelWeightZeroPoint) {
  Tensor y = OpCase("ConvInteger", 10)
                 .input(Tensor::from_vector<uint8_t>({1, 2, 2}, {1, 2, 3, 4}))
                 .input(Tensor::from_vector<uint8_t>({2, 1, 2}, {3, 1, 2, 2}))
                 .omitted()
                 .input(Tensor::from_vector<uint8_t>({2}, {1, 2}))
                 .attr("group", int64_t{2})
                 .run_one();
  EXPECT_EQ(y.to_vector<int32_t>(), (std::vector<int32_t>{2, 0}));
}

TEST(EngineConvIntegerTest, FloatInputIsRejected) {
  auto r = OpCase("ConvInteger", 10)
               .input(Tensor::from_vector<float>({1, 1, 1, 1}, {1}))
               .input(Tensor::from_vector<uint8_t>({1, 1, 1, 1}, {1}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("input 0 has dtype float32"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
