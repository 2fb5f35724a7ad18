#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineCenterCropPadTest, CropOneAxisPadTheOther) {
  std::vector<float> x(12);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i + 1);
  Tensor y = OpCase("CenterCropPad", 18)
                 .input(Tensor::from_vector<float>({3, 4}, x))
                 .input(Tensor::from_vector<int64_t>({2}, I{2, 7}))
                 .run_one();
  expect_float_tensor(y, {2, 7}, {0, 1, 2, 3, 4, 0, 0, 0, 5, 6, 7, 8, 0, 0});
}

TEST(EngineCenterCropPadTest, NegativeAxesAndIntegers) {
  Tensor y = OpCase("CenterCropPad", 18)
                 .input(Tensor::from_vector<int64_t>({1, 5}, I{1, 2, 3, 4, 5}))
                 .input(Tensor::from_vector<int64_t>({1}, I{3}))
                 .attr("axes", std::vector<int64_t>{-1})
                 .run_one();
  expect_int64_tensor(y, {1, 3}, {2, 3, 4});
}

TEST(EngineCenterCropPadTest, ShapeLengthMustMatchAxes) {
  auto r = OpCase("CenterCropPad", 18)
               .input(Tensor::from_vector<float>({2, 2}, F{1, 2, 3, 4}))
               .input(Tensor::from_vector<int64_t>({1}, I{1}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("shape has 1 values but there are 2 axes"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
