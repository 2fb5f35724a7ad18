#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineAffineGridTest, Identity2dPixelCenters) {
  Tensor y = OpCase("AffineGrid", 20)
                 .input(Tensor::from_vector<float>({1, 2, 3}, F{1, 0, 0, 0, 1, 0}))
                 .input(Tensor::from_vector<int64_t>({4}, I{1, 1, 2, 3}))
                 .run_one();
  const float t = 2.0f / 3.0f;
  expect_float_tensor(y, {1, 2, 3, 2}, {-t, -0.5f, 0, -0.5f, t, -0.5f, -t, 0.5f, 0, 0.5f, t, 0.5f});
}

TEST(EngineAffineGridTest, AlignCornersScaleAndTranslate) {
  Tensor y = OpCase("AffineGrid", 20)
                 .input(Tensor::from_vector<float>({1, 2, 3}, F{2, 0, 0.5f, 0, -1, 0}))
                 .input(Tensor::from_vector<int64_t>({4}, I{1, 1, 2, 3}))
                 .attr("align_corners", int64_t{1})
                 .run_one();
  expect_float_tensor(y, {1, 2, 3, 2}, {-1.5f, 1, 0.5f, 1, 2.5f, 1, -1.5f, -1, 0.5f, -1, 2.5f, -1});
}

TEST(EngineAffineGridTest, Volume3d) {
  // Identity on [D=1, H=1, W=2]: x = -0.5 / 0.5, y = z = 0.
  F theta{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
  Tensor y = OpCase("AffineGrid", 20)
                 .input(Tensor::from_vector<float>({1, 3, 4}, theta))
                 .input(Tensor::from_vector<int64_t>({5}, I{1, 1, 1, 1, 2}))
                 .run_one();
  expect_float_tensor(y, {1, 1, 1, 2, 3}, {-0.5f, 0, 0, 0.5f, 0, 0});
}

TEST(EngineAffineGridTest, ThetaShapeMustMatchSize) {
  auto r = OpCase("AffineGrid", 20)
               .input(Tensor::from_vector<float>({1, 2, 3}, F(6, 0.0f)))
               .input(Tensor::from_vector<int64_t>({5}, I{1, 1, 1, 2, 2}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("theta [1,2,3] must be [1, 3, 4]"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
