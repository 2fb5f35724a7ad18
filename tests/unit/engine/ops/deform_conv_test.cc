#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;

Tensor image() {
  F v(9);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  return Tensor::from_vector<float>({1, 1, 3, 3}, v);
}

// Offsets [1, 8, 2, 2]: tap 0 moves down by 0.5 at output (0,0) and left by 1 at output (1,1).
Tensor offsets() {
  F v(32, 0.0f);
  v[0] = 0.5f;           // channel 0 (tap 0 dy), position (0,0)
  v[1 * 4 + 3] = -1.0f;  // channel 1 (tap 0 dx), position (1,1)
  return Tensor::from_vector<float>({1, 8, 2, 2}, v);
}

TEST(EngineDeformConvTest, OffsetsMoveTapsBilinearly) {
  Tensor y = OpCase("DeformConv", 19)
                 .input(image())
                 .input(Tensor::from_vector<float>({1, 1, 2, 2}, F{1, 1, 1, 1}))
                 .input(offsets())
                 .run_one();
  expect_float_tensor(y, {1, 1, 2, 2}, {9.5f, 12.0f, 20.0f, 23.0f});
}

TEST(EngineDeformConvTest, BiasAndMask) {
  F mask(16, 1.0f);
  for (int i = 12; i < 16; ++i) mask[static_cast<size_t>(i)] = 0.5f;  // tap 3 at half weight
  Tensor y = OpCase("DeformConv", 19)
                 .input(image())
                 .input(Tensor::from_vector<float>({1, 1, 2, 2}, F{1, 1, 1, 1}))
                 .input(offsets())
                 .input(Tensor::from_vector<float>({1}, F{0.5f}))
                 .input(Tensor::from_vector<float>({1, 4, 2, 2}, mask))
                 .run_one();
  expect_float_tensor(y, {1, 1, 2, 2}, {8.0f, 10.0f, 17.0f, 19.5f});
}

TEST(EngineDeformConvTest, SamplesOutsideTheImageAreZero) {
  // The only tap moves 5 rows up, off the image.
  Tensor y = OpCase("DeformConv", 19)
                 .input(Tensor::from_vector<float>({1, 1, 1, 1}, F{2}))
                 .input(Tensor::from_vector<float>({1, 1, 1, 1}, F{3}))
                 .input(Tensor::from_vector<float>({1, 2, 1, 1}, F{-5, 0}))
                 .run_one();
  expect_float_tensor(y, {1, 1, 1, 1}, {0.0f});
}

TEST(EngineDeformConvTest, WrongOffsetShapeIsAnError) {
  auto r = OpCase("DeformConv", 19)
               .input(image())
               .input(Tensor::from_vector<float>({1, 1, 2, 2}, F{1, 1, 1, 1}))
               .input(Tensor::from_vector<float>({1, 4, 2, 2}, F(16, 0.0f)))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("offset [1,4,2,2] must be [1,8,2,2]"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
