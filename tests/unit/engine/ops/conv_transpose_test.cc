#include <gtest/gtest.h>

#include <numeric>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

F iota(int n, float start = 0.0f) {
  F v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), start);
  return v;
}

const Tensor kX = Tensor::from_vector<float>({1, 1, 3, 3}, iota(9, 1));

TEST(EngineConvTransposeTest, Basic) {
  Tensor y = OpCase("ConvTranspose", 11)
                 .input(kX)
                 .weight(Tensor::from_vector<float>({1, 2, 3, 3}, F(18, 1.0f)))
                 .run_one();
  const F plane = {1,  3,  6,  5,  3,  5,  12, 21, 16, 9,  12, 27, 45,
                   33, 18, 11, 24, 39, 28, 15, 7,  15, 24, 17, 9};
  F both = plane;
  both.insert(both.end(), plane.begin(), plane.end());
  expect_float_tensor(y, {1, 2, 5, 5}, both);
}

TEST(EngineConvTransposeTest, StridesOutputPaddingAndPads) {
  Tensor y = OpCase("ConvTranspose", 11)
                 .input(kX)
                 .weight(Tensor::from_vector<float>({1, 1, 2, 2}, F(4, 1.0f)))
                 .attr("strides", I{2, 2})
                 .attr("output_padding", I{1, 1})
                 .attr("pads", I{0, 0, 1, 0})
                 .run_one();
  expect_float_tensor(y, {1, 1, 6, 7},
                      {1, 1, 2, 2, 3, 3, 0, 1, 1, 2, 2, 3, 3, 0, 4, 4, 5, 5, 6, 6, 0,
                       4, 4, 5, 5, 6, 6, 0, 7, 7, 8, 8, 9, 9, 0, 7, 7, 8, 8, 9, 9, 0});
}

TEST(EngineConvTransposeTest, OutputShapeAndAutoPadWithBias) {
  Tensor y = OpCase("ConvTranspose", 11)
                 .input(kX)
                 .weight(Tensor::from_vector<float>({1, 1, 2, 2}, F(4, 1.0f)))
                 .attr("strides", I{2, 2})
                 .attr("output_shape", I{7, 7})
                 .run_one();
  F want = {1, 1, 2, 2, 3, 3, 0, 1, 1, 2, 2, 3, 3, 0, 4, 4, 5, 5, 6, 6, 0, 4, 4, 5, 5,
            6, 6, 0, 7, 7, 8, 8, 9, 9, 0, 7, 7, 8, 8, 9, 9, 0, 0, 0, 0, 0, 0, 0, 0};
  expect_float_tensor(y, {1, 1, 7, 7}, want);
  Tensor z = OpCase("ConvTranspose", 11)
                 .input(kX)
                 .weight(Tensor::from_vector<float>({1, 1, 2, 2}, F(4, 1.0f)))
                 .weight(Tensor::from_vector<float>({1}, F{0.5f}))
                 .attr("strides", I{2, 2})
                 .attr("auto_pad", std::string("SAME_UPPER"))
                 .run_one();
  F same;
  for (int r = 0; r < 6; ++r) {
    for (int c = 0; c < 6; ++c) same.push_back(static_cast<float>((r / 2) * 3 + c / 2 + 1) + 0.5f);
  }
  expect_float_tensor(z, {1, 1, 6, 6}, same);
}

TEST(EngineConvTransposeTest, Groups) {
  Tensor y = OpCase("ConvTranspose", 11)
                 .input(Tensor::from_vector<float>({1, 2, 2, 2}, iota(8, 1)))
                 .weight(Tensor::from_vector<float>({2, 1, 1, 2}, iota(4, 1)))
                 .attr("group", int64_t{2})
                 .run_one();
  expect_float_tensor(y, {1, 2, 2, 3}, {1, 4, 4, 3, 10, 8, 15, 38, 24, 21, 52, 32});
}

TEST(EngineConvTransposeTest, OneD) {
  Tensor y = OpCase("ConvTranspose", 11)
                 .input(Tensor::from_vector<float>({1, 1, 3}, F{1, 2, 3}))
                 .weight(Tensor::from_vector<float>({1, 1, 2}, F{1, 10}))
                 .run_one();
  expect_float_tensor(y, {1, 1, 4}, {1, 12, 23, 30});
}

TEST(EngineConvTransposeTest, Errors) {
  auto r = OpCase("ConvTranspose", 11)
               .input(kX)
               .weight(Tensor::from_vector<float>({2, 1, 2, 2}, F(8, 1.0f)))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("group"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
