#include <gtest/gtest.h>

#include <numeric>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

Tensor iota_4x4() {
  F x(16);
  std::iota(x.begin(), x.end(), 1.0f);
  return Tensor::from_vector<float>({1, 1, 4, 4}, x);
}

TEST(EngineResizeTest, BilinearHalfPixelScales) {
  Tensor y = OpCase("Resize", 19)
                 .input(iota_4x4())
                 .omitted()
                 .input(Tensor::from_vector<float>({4}, F{1, 1, 1.5f, 2}))
                 .attr("mode", std::string("linear"))
                 .run_one();
  // Rows 0 and 2 of the 6x8 result (values from the ONNX reference implementation).
  const F got = y.to_vector<float>();
  ASSERT_EQ(y.shape(), (Shape{1, 1, 6, 8}));
  const F row0 = {1, 1.25f, 1.75f, 2.25f, 2.75f, 3.25f, 3.75f, 4};
  const F row2 = {5.66667f, 5.91667f, 6.41667f, 6.91667f, 7.41667f, 7.91667f, 8.41667f, 8.66667f};
  for (size_t i = 0; i < 8; ++i) {
    EXPECT_NEAR(got[i], row0[i], 1e-4f) << i;
    EXPECT_NEAR(got[16 + i], row2[i], 1e-4f) << i;
  }
}

TEST(EngineResizeTest, NearestSizesWithAxesAndRoundPreferCeil) {
  Tensor y = OpCase("Resize", 18)
                 .input(Tensor::from_vector<float>({1, 1, 2, 2}, F{1, 2, 3, 4}))
                 .omitted()
                 .omitted()
                 .input(Tensor::from_vector<int64_t>({2}, I{3, 3}))
                 .attr("axes", I{2, 3})
                 .attr("coordinate_transformation_mode", std::string("asymmetric"))
                 .attr("nearest_mode", std::string("round_prefer_ceil"))
                 .run_one();
  // x_original = x * 2 / 3 -> 0, 0.667, 1.333 -> 0, 1, 1.
  expect_float_tensor(y, {1, 1, 3, 3}, {1, 2, 2, 3, 4, 4, 3, 4, 4});
}

TEST(EngineResizeTest, NearestKeepsIntegerDtypesAndAspectRatio) {
  Tensor y = OpCase("Resize", 18)
                 .input(Tensor::from_vector<int64_t>({1, 2, 2}, I{1, 2, 3, 4}))
                 .omitted()
                 .omitted()
                 .input(Tensor::from_vector<int64_t>({2}, I{4, 8}))
                 .attr("axes", I{1, 2})
                 .attr("keep_aspect_ratio_policy", std::string("not_larger"))
                 .run_one();
  // not_larger: scale = min(4/2, 8/2) = 2 on both axes.
  expect_int64_tensor(y, {1, 4, 4}, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
}

TEST(EngineResizeTest, CubicAntialiasDownsample) {
  Tensor y = OpCase("Resize", 18)
                 .input(iota_4x4())
                 .omitted()
                 .omitted()
                 .input(Tensor::from_vector<int64_t>({4}, I{1, 1, 2, 3}))
                 .attr("mode", std::string("cubic"))
                 .attr("antialias", int64_t{1})
                 .run_one();
  expect_float_tensor(y, {1, 1, 2, 3}, {3.11594f, 4.46094f, 5.80594f, 11.1941f, 12.5391f, 13.8841f},
                      1e-4f);
}

TEST(EngineResizeTest, TrilinearAlignCorners) {
  F x(8);
  std::iota(x.begin(), x.end(), 0.0f);
  Tensor y = OpCase("Resize", 19)
                 .input(Tensor::from_vector<float>({1, 1, 2, 2, 2}, x))
                 .omitted()
                 .omitted()
                 .input(Tensor::from_vector<int64_t>({3}, I{3, 3, 3}))
                 .attr("mode", std::string("linear"))
                 .attr("axes", I{2, 3, 4})
                 .attr("coordinate_transformation_mode", std::string("align_corners"))
                 .run_one();
  F want;
  for (int d = 0; d < 3; ++d)
    for (int h = 0; h < 3; ++h)
      for (int w = 0; w < 3; ++w) want.push_back(2.0f * d + 1.0f * h + 0.5f * w);
  expect_float_tensor(y, {1, 1, 3, 3, 3}, want);
}

TEST(EngineResizeTest, Uint8LinearRoundsAndSaturates) {
  Tensor y = OpCase("Resize", 19)
                 .input(Tensor::from_vector<uint8_t>({1, 1, 2, 2}, {0, 255, 100, 7}))
                 .omitted()
                 .input(Tensor::from_vector<float>({4}, F{1, 1, 2, 2}))
                 .attr("mode", std::string("linear"))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kUInt8);
  const std::vector<uint8_t> want = {0,  64, 191, 255, 25,  67, 151, 193,
                                     75, 74, 70,  69,  100, 77, 30,  7};
  EXPECT_EQ(y.to_vector<uint8_t>(), want);
}

TEST(EngineResizeTest, TfCropAndResizeExtrapolates) {
  Tensor y = OpCase("Resize", 13)
                 .input(Tensor::from_vector<float>({1, 1, 2, 2}, F{1, 2, 3, 4}))
                 .input(Tensor::from_vector<float>({8}, F{0, 0, 0, 0.5f, 1, 1, 1, 1.5f}))
                 .omitted()
                 .input(Tensor::from_vector<int64_t>({4}, I{1, 1, 2, 3}))
                 .attr("mode", std::string("linear"))
                 .attr("coordinate_transformation_mode", std::string("tf_crop_and_resize"))
                 .attr("extrapolation_value", 9.0f)
                 .run_one();
  // Columns sample x = 0.5, 1.0, 1.5: the last is past the input and takes the fill value.
  expect_float_tensor(y, {1, 1, 2, 3}, {1.5f, 2, 9, 3.5f, 4, 9});
}

TEST(EngineResizeTest, ThreadsMatchSingleThread) {
  F x(2 * 3 * 17 * 23);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 37) % 101) / 7.0f;
  const Tensor in = Tensor::from_vector<float>({2, 3, 17, 23}, x);
  auto make = [&](int threads) {
    return OpCase("Resize", 13)
        .input(in)
        .omitted()
        .input(Tensor::from_vector<float>({4}, F{1, 1, 2.5f, 0.5f}))
        .attr("mode", std::string("linear"))
        .threads(threads)
        .run_one();
  };
  const Tensor a = make(1), b = make(4);
  ASSERT_EQ(a.shape(), (Shape{2, 3, 42, 11}));
  EXPECT_EQ(a.to_vector<float>(), b.to_vector<float>());
}

TEST(EngineResizeTest, Resize10AndUpsampleUseAsymmetricFloor) {
  const Tensor x = Tensor::from_vector<float>({1, 1, 2, 2}, F{1, 2, 3, 4});
  const F want = {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4};
  const Tensor scales = Tensor::from_vector<float>({4}, F{1, 1, 2, 3});
  expect_float_tensor(OpCase("Resize", 10).input(x).input(scales).run_one(), {1, 1, 4, 6}, want);
  expect_float_tensor(OpCase("Upsample", 9).input(x).input(scales).run_one(), {1, 1, 4, 6}, want);
  expect_float_tensor(OpCase("Upsample", 7).input(x).attr("scales", F{1, 1, 2, 3}).run_one(),
                      {1, 1, 4, 6}, want);
  // Linear upsampling, asymmetric: x_original = x / 2.
  expect_float_tensor(OpCase("Upsample", 9)
                          .input(Tensor::from_vector<float>({1, 2}, F{0, 4}))
                          .input(Tensor::from_vector<float>({2}, F{1, 2}))
                          .attr("mode", std::string("linear"))
                          .run_one(),
                      {1, 4}, {0, 2, 4, 4});
}

TEST(EngineResizeTest, Errors) {
  const Tensor x = Tensor::from_vector<float>({1, 1, 2, 2}, F{1, 2, 3, 4});
  auto both = OpCase("Resize", 13)
                  .input(x)
                  .omitted()
                  .input(Tensor::from_vector<float>({4}, F{1, 1, 2, 2}))
                  .input(Tensor::from_vector<int64_t>({4}, I{1, 1, 4, 4}))
                  .run();
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.status().message().find("not both"), std::string::npos) << both.status().message();
  auto count =
      OpCase("Resize", 13).input(x).omitted().input(Tensor::from_vector<float>({2}, F{2, 2})).run();
  ASSERT_FALSE(count.ok());
  EXPECT_NE(count.status().message().find("scales has 2 values"), std::string::npos)
      << count.status().message();
  auto mode = OpCase("Resize", 13)
                  .input(x)
                  .omitted()
                  .input(Tensor::from_vector<float>({4}, F{1, 1, 2, 2}))
                  .attr("mode", std::string("area"))
                  .run();
  ASSERT_FALSE(mode.ok());
  EXPECT_NE(mode.status().message().find("area"), std::string::npos) << mode.status().message();
  // half_pixel_symmetric arrived in opset 19.
  auto coord = OpCase("Resize", 18)
                   .input(x)
                   .omitted()
                   .input(Tensor::from_vector<float>({4}, F{1, 1, 2, 2}))
                   .attr("coordinate_transformation_mode", std::string("half_pixel_symmetric"))
                   .run();
  ASSERT_FALSE(coord.ok());
  auto down =
      OpCase("Upsample", 9).input(x).input(Tensor::from_vector<float>({4}, F{1, 1, 0.5f, 1})).run();
  ASSERT_FALSE(down.ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
