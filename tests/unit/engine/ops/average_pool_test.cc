#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

const Tensor kX = Tensor::from_vector<float>(
    {1, 1, 4, 4}, F{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});

TEST(EngineAveragePoolTest, PadsExcludedByDefault) {
  Tensor y = OpCase("AveragePool", 11)
                 .input(kX)
                 .attr("kernel_shape", I{3, 3})
                 .attr("pads", I{1, 1, 1, 1})
                 .run_one();
  expect_float_tensor(y, {1, 1, 4, 4},
                      {3.5, 4, 5, 5.5, 5.5, 6, 7, 7.5, 9.5, 10, 11, 11.5, 11.5, 12, 13, 13.5});
}

TEST(EngineAveragePoolTest, CountIncludePad) {
  Tensor y = OpCase("AveragePool", 11)
                 .input(kX)
                 .attr("kernel_shape", I{3, 3})
                 .attr("pads", I{1, 1, 1, 1})
                 .attr("count_include_pad", int64_t{1})
                 .run_one();
  expect_float_tensor(y, {1, 1, 4, 4},
                      {1.555556f, 2.666667f, 3.333333f, 2.444444f, 3.666667f, 6, 7, 5, 6.333333f,
                       10, 11, 7.666667f, 5.111111f, 8, 8.666667f, 6});
}

TEST(EngineAveragePoolTest, CeilModeAndSameLower) {
  Tensor y = OpCase("AveragePool", 11)
                 .input(kX)
                 .attr("kernel_shape", I{3, 3})
                 .attr("strides", I{2, 2})
                 .attr("ceil_mode", int64_t{1})
                 .run_one();
  expect_float_tensor(y, {1, 1, 2, 2}, {6, 7.5, 12, 13.5});
  Tensor z = OpCase("AveragePool", 11)
                 .input(kX)
                 .attr("kernel_shape", I{2, 2})
                 .attr("auto_pad", std::string("SAME_LOWER"))
                 .run_one();
  expect_float_tensor(z, {1, 1, 4, 4},
                      {1, 1.5, 2.5, 3.5, 3, 3.5, 4.5, 5.5, 7, 7.5, 8.5, 9.5, 11, 11.5, 12.5, 13.5});
}

TEST(EngineAveragePoolTest, Float64) {
  Tensor y = OpCase("AveragePool", 11)
                 .input(Tensor::from_vector<double>({1, 1, 4}, std::vector<double>{1, 2, 3, 5}))
                 .attr("kernel_shape", I{2})
                 .attr("strides", I{2})
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  EXPECT_EQ(y.to_vector<double>(), (std::vector<double>{1.5, 4}));
}

TEST(EngineAveragePoolTest, Errors) {
  auto r = OpCase("AveragePool", 11)
               .input(Tensor::from_vector<float>({4, 4}, F(16, 1.0f)))
               .attr("kernel_shape", I{2, 2})
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("rank"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
