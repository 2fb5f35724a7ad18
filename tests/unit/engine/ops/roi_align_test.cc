#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

Tensor ramp(int64_t n) {
  std::vector<float> v(static_cast<size_t>(n * 16));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  return Tensor::from_vector<float>({n, 1, 4, 4}, v);
}

TEST(EngineRoiAlignTest, HalfPixelAverage) {
  Tensor y = OpCase("RoiAlign", 16)
                 .input(ramp(1))
                 .input(Tensor::from_vector<float>({2, 4}, F{0, 0, 3, 3, 1, 1, 3, 2}))
                 .input(Tensor::from_vector<int64_t>({2}, I{0, 0}))
                 .attr("output_height", int64_t{2})
                 .attr("output_width", int64_t{2})
                 .attr("sampling_ratio", int64_t{2})
                 .run_one();
  expect_float_tensor(y, {2, 1, 2, 2}, {1.5625f, 3.0f, 7.3125f, 8.75f, 4.0f, 5.0f, 6.0f, 7.0f});
}

TEST(EngineRoiAlignTest, OutputHalfPixelAdaptiveSamplingAndBatchIndices) {
  Tensor y = OpCase("RoiAlign", 16)
                 .input(ramp(2))
                 .input(Tensor::from_vector<float>({2, 4}, F{0, 0, 3, 3, 1, 1, 3, 2}))
                 .input(Tensor::from_vector<int64_t>({2}, I{0, 1}))
                 .attr("output_height", int64_t{2})
                 .attr("output_width", int64_t{2})
                 .attr("coordinate_transformation_mode", std::string("output_half_pixel"))
                 .run_one();
  expect_float_tensor(y, {2, 1, 2, 2}, {3.75f, 5.25f, 9.75f, 11.25f, 22.5f, 23.5f, 24.5f, 25.5f});
}

TEST(EngineRoiAlignTest, MaxOfWeightedCorners) {
  Tensor y = OpCase("RoiAlign", 16)
                 .input(ramp(1))
                 .input(Tensor::from_vector<float>({2, 4}, F{0, 0, 3, 3, 1, 1, 3, 2}))
                 .input(Tensor::from_vector<int64_t>({2}, I{0, 0}))
                 .attr("output_height", int64_t{1})
                 .attr("output_width", int64_t{2})
                 .attr("sampling_ratio", int64_t{1})
                 .attr("mode", std::string("max"))
                 .run_one();
  expect_float_tensor(y, {2, 1, 1, 2}, {3.0f, 4.5f, 5.0f, 6.0f});
}

TEST(EngineRoiAlignTest, BatchIndexOutOfRangeIsAnError) {
  auto r = OpCase("RoiAlign", 16)
               .input(ramp(1))
               .input(Tensor::from_vector<float>({1, 4}, F{0, 0, 1, 1}))
               .input(Tensor::from_vector<int64_t>({1}, I{1}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("batch index 1 is outside [0, 1)"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
