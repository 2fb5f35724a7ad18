#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

const Tensor kX = Tensor::from_vector<float>(
    {1, 1, 4, 4}, F{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});

TEST(EngineMaxPoolTest, Basic) {
  Tensor y = OpCase("MaxPool", 11)
                 .input(kX)
                 .attr("kernel_shape", I{2, 2})
                 .attr("strides", I{2, 2})
                 .run_one();
  expect_float_tensor(y, {1, 1, 2, 2}, {6, 8, 14, 16});
}

TEST(EngineMaxPoolTest, CeilModeAndDilations) {
  Tensor y = OpCase("MaxPool", 12)
                 .input(kX)
                 .attr("kernel_shape", I{3, 3})
                 .attr("strides", I{2, 2})
                 .attr("ceil_mode", int64_t{1})
                 .run_one();
  expect_float_tensor(y, {1, 1, 2, 2}, {11, 12, 15, 16});
  Tensor z = OpCase("MaxPool", 12)
                 .input(kX)
                 .attr("kernel_shape", I{2, 2})
                 .attr("dilations", I{2, 2})
                 .run_one();
  expect_float_tensor(z, {1, 1, 2, 2}, {11, 12, 15, 16});
}

TEST(EngineMaxPoolTest, PadsAndIndices) {
  auto r = OpCase("MaxPool", 12)
               .input(kX)
               .outputs(2)
               .attr("kernel_shape", I{2, 2})
               .attr("strides", I{2, 2})
               .attr("pads", I{1, 1, 1, 1})
               .run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  expect_float_tensor((*r)[0], {1, 1, 3, 3}, {1, 3, 4, 9, 11, 12, 13, 15, 16});
  expect_int64_tensor((*r)[1], {1, 1, 3, 3}, {0, 2, 3, 8, 10, 11, 12, 14, 15});
  // Column-major indices.
  auto c = OpCase("MaxPool", 12)
               .input(kX)
               .outputs(2)
               .attr("kernel_shape", I{2, 2})
               .attr("strides", I{2, 2})
               .attr("storage_order", int64_t{1})
               .run();
  ASSERT_TRUE(c.ok()) << c.status().message();
  expect_int64_tensor((*c)[1], {1, 1, 2, 2}, {5, 13, 7, 15});
}

TEST(EngineMaxPoolTest, AutoPadAnd1D) {
  Tensor y = OpCase("MaxPool", 11)
                 .input(Tensor::from_vector<float>({1, 1, 5}, F{3, 1, 4, 1, 5}))
                 .attr("kernel_shape", I{2})
                 .attr("auto_pad", std::string("SAME_UPPER"))
                 .run_one();
  expect_float_tensor(y, {1, 1, 5}, {3, 4, 4, 5, 5});
}

TEST(EngineMaxPoolTest, Errors) {
  auto r = OpCase("MaxPool", 11).input(kX).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("kernel_shape"), std::string::npos) << r.status().message();
  auto big = OpCase("MaxPool", 11).input(kX).attr("kernel_shape", I{5, 5}).run();
  ASSERT_FALSE(big.ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
