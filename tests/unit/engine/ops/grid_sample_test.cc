#include <gtest/gtest.h>

#include <numeric>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;

// X = 0..11 as [1, 1, 3, 4]; four sample points, two of them outside [-1, 1].
Tensor image() {
  F x(12);
  std::iota(x.begin(), x.end(), 0.0f);
  return Tensor::from_vector<float>({1, 1, 3, 4}, x);
}
Tensor points() {
  return Tensor::from_vector<float>({1, 2, 2, 2},
                                    F{-1.2f, -1, 0.3f, 0.5f, 1.1f, 0.9f, -0.4f, 1.3f});
}

Tensor sample(const std::string& mode, const std::string& padding, int64_t align_corners) {
  return OpCase("GridSample", 20)
      .input(image())
      .input(points())
      .attr("mode", mode)
      .attr("padding_mode", padding)
      .attr("align_corners", align_corners)
      .run_one();
}

// Expected values from the ONNX reference implementation.
TEST(EngineGridSampleTest, LinearPaddingModes) {
  expect_float_tensor(sample("linear", "zeros", 0), {1, 1, 2, 2}, {0, 9.1f, 2.145f, 0.435002f},
                      1e-4f);
  expect_float_tensor(sample("linear", "border", 1), {1, 1, 2, 2}, {0, 7.95f, 10.6f, 8.9f}, 1e-4f);
  expect_float_tensor(sample("linear", "reflection", 1), {1, 1, 2, 2}, {0.3f, 7.95f, 10.45f, 7.7f},
                      1e-4f);
}

TEST(EngineGridSampleTest, NearestAndCubic) {
  expect_float_tensor(sample("nearest", "zeros", 0), {1, 1, 2, 2}, {0, 10, 0, 0});
  expect_float_tensor(sample("nearest", "zeros", 1), {1, 1, 2, 2}, {0, 10, 11, 9});
  expect_float_tensor(sample("cubic", "zeros", 1), {1, 1, 2, 2},
                      {-0.11025f, 9.23443f, 10.002f, 6.86899f}, 1e-4f);
  expect_float_tensor(sample("cubic", "reflection", 0), {1, 1, 2, 2},
                      {-0.8175f, 9.37712f, 11.84f, 8.75325f}, 1e-4f);
  expect_float_tensor(sample("cubic", "border", 0), {1, 1, 2, 2},
                      {-0.375f, 9.37712f, 11.4436f, 8.61075f}, 1e-4f);
}

TEST(EngineGridSampleTest, Volumetric) {
  F x(8);
  std::iota(x.begin(), x.end(), 0.0f);
  Tensor y = OpCase("GridSample", 20)
                 .input(Tensor::from_vector<float>({1, 1, 2, 2, 2}, x))
                 .input(Tensor::from_vector<float>({1, 1, 1, 2, 3}, F{0.1f, -0.3f, 0.7f, -1, 1, 0}))
                 .run_one();
  expect_float_tensor(y, {1, 1, 1, 1, 2}, {4, 1}, 1e-4f);
}

TEST(EngineGridSampleTest, Opset16NamesAndErrors) {
  Tensor y = OpCase("GridSample", 16)
                 .input(image())
                 .input(points())
                 .attr("mode", std::string("bilinear"))
                 .run_one();
  expect_float_tensor(y, {1, 1, 2, 2}, {0, 9.1f, 2.145f, 0.435002f}, 1e-4f);
  auto renamed = OpCase("GridSample", 16)
                     .input(image())
                     .input(points())
                     .attr("mode", std::string("linear"))
                     .run();
  ASSERT_FALSE(renamed.ok());
  EXPECT_NE(renamed.status().message().find("bilinear"), std::string::npos);
  auto grid = OpCase("GridSample", 20)
                  .input(image())
                  .input(Tensor::from_vector<float>({1, 2, 3}, F(6, 0.0f)))
                  .run();
  ASSERT_FALSE(grid.ok());
  EXPECT_NE(grid.status().message().find("grid must be"), std::string::npos)
      << grid.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
