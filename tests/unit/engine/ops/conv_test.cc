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

TEST(EngineConvTest, Basic2DWithAndWithoutPadding) {
  const Tensor x = Tensor::from_vector<float>({1, 1, 5, 5}, iota(25));
  const Tensor w = Tensor::from_vector<float>({1, 1, 3, 3}, F(9, 1.0f));
  Tensor y = OpCase("Conv", 11).input(x).weight(w).attr("pads", I{1, 1, 1, 1}).run_one();
  expect_float_tensor(y, {1, 1, 5, 5}, {12,  21, 27, 33,  24,  33,  54,  63, 72,  51,  63,  99, 108,
                                        117, 81, 93, 144, 153, 162, 111, 72, 111, 117, 123, 84});
  Tensor z = OpCase("Conv", 7).input(x).weight(w).run_one();
  expect_float_tensor(z, {1, 1, 3, 3}, {54, 63, 72, 99, 108, 117, 144, 153, 162});
}

TEST(EngineConvTest, StridesWithPadding) {
  Tensor y = OpCase("Conv", 11)
                 .input(Tensor::from_vector<float>({1, 1, 7, 5}, iota(35)))
                 .weight(Tensor::from_vector<float>({1, 1, 3, 3}, F(9, 1.0f)))
                 .attr("pads", I{1, 1, 1, 1})
                 .attr("strides", I{2, 2})
                 .run_one();
  expect_float_tensor(y, {1, 1, 4, 3}, {12, 27, 24, 63, 108, 81, 123, 198, 141, 112, 177, 124});
}

TEST(EngineConvTest, AutoPad) {
  const Tensor x = Tensor::from_vector<float>({1, 1, 5, 5}, iota(25));
  Tensor y = OpCase("Conv", 11)
                 .input(x)
                 .weight(Tensor::from_vector<float>({1, 1, 3, 3}, F(9, 1.0f)))
                 .attr("auto_pad", std::string("SAME_UPPER"))
                 .attr("strides", I{2, 2})
                 .run_one();
  expect_float_tensor(y, {1, 1, 3, 3}, {12, 27, 24, 63, 108, 81, 72, 117, 84});
  // A 2x2 kernel pads one row/column in front with SAME_LOWER.
  Tensor z = OpCase("Conv", 11)
                 .input(x)
                 .weight(Tensor::from_vector<float>({1, 1, 2, 2}, F(4, 1.0f)))
                 .attr("auto_pad", std::string("SAME_LOWER"))
                 .run_one();
  expect_float_tensor(z, {1, 1, 5, 5}, {0,  1,  3,  5,  7,  5,  12, 16, 20, 24, 15, 32, 36,
                                        40, 44, 25, 52, 56, 60, 64, 35, 72, 76, 80, 84});
  Tensor v = OpCase("Conv", 11)
                 .input(x)
                 .weight(Tensor::from_vector<float>({1, 1, 3, 3}, F(9, 1.0f)))
                 .attr("auto_pad", std::string("VALID"))
                 .run_one();
  expect_float_tensor(v, {1, 1, 3, 3}, {54, 63, 72, 99, 108, 117, 144, 153, 162});
}

TEST(EngineConvTest, Dilations) {
  Tensor y = OpCase("Conv", 11)
                 .input(Tensor::from_vector<float>({1, 1, 5, 5}, iota(25)))
                 .weight(Tensor::from_vector<float>({1, 1, 2, 2}, F(4, 1.0f)))
                 .attr("dilations", I{2, 2})
                 .run_one();
  expect_float_tensor(y, {1, 1, 3, 3}, {24, 28, 32, 44, 48, 52, 64, 68, 72});
}

TEST(EngineConvTest, GroupsBiasAndAsymmetricPads) {
  Tensor y = OpCase("Conv", 11)
                 .input(Tensor::from_vector<float>({1, 4, 2, 2}, iota(16, 1)))
                 .weight(Tensor::from_vector<float>({2, 2, 1, 2}, iota(8, 1)))
                 .weight(Tensor::from_vector<float>({2}, F{1, -1}))
                 .attr("group", int64_t{2})
                 .attr("pads", I{0, 0, 0, 1})
                 .run_one();
  expect_float_tensor(y, {1, 2, 2, 2}, {45, 21, 65, 29, 307, 147, 359, 171});
}

TEST(EngineConvTest, Depthwise) {
  Tensor y = OpCase("Conv", 13)
                 .input(Tensor::from_vector<float>({1, 2, 2, 2}, iota(8, 1)))
                 .weight(Tensor::from_vector<float>({2, 1, 1, 1}, F{2, 3}))
                 .weight(Tensor::from_vector<float>({2}, F{1, -1}))
                 .attr("group", int64_t{2})
                 .run_one();
  expect_float_tensor(y, {1, 2, 2, 2}, {3, 5, 7, 9, 14, 17, 20, 23});
}

TEST(EngineConvTest, OneDAndThreeD) {
  Tensor y = OpCase("Conv", 11)
                 .input(Tensor::from_vector<float>({1, 1, 5}, F{1, 2, 4, 8, 16}))
                 .weight(Tensor::from_vector<float>({1, 1, 2}, F{1, -1}))
                 .attr("dilations", I{2})
                 .run_one();
  expect_float_tensor(y, {1, 1, 3}, {-3, -6, -12});
  Tensor z = OpCase("Conv", 11)
                 .input(Tensor::from_vector<float>({1, 1, 2, 2, 3}, F(12, 1.0f)))
                 .weight(Tensor::from_vector<float>({2, 1, 2, 2, 2}, F(16, 1.0f)))
                 .attr("pads", I{0, 0, 1, 0, 0, 1})
                 .run_one();
  expect_float_tensor(z, {1, 2, 1, 1, 4}, {4, 8, 8, 4, 4, 8, 8, 4});
}

TEST(EngineConvTest, BatchAndThreadsAgree) {
  const Tensor x = Tensor::from_vector<float>({3, 2, 4, 4}, iota(96));
  const Tensor w = Tensor::from_vector<float>({3, 2, 3, 3}, iota(54, -20));
  Tensor a = OpCase("Conv", 13).input(x).weight(w).attr("pads", I{1, 1, 1, 1}).run_one();
  Tensor b = OpCase("Conv", 13).threads(4).input(x).weight(w).attr("pads", I{1, 1, 1, 1}).run_one();
  expect_float_tensor(b, a.shape(), a.to_vector<float>());
}

TEST(EngineConvTest, Errors) {
  auto r = OpCase("Conv", 11)
               .input(Tensor::from_vector<float>({1, 3, 4, 4}, F(48, 1.0f)))
               .weight(Tensor::from_vector<float>({2, 2, 3, 3}, F(36, 1.0f)))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("group"), std::string::npos) << r.status().message();
  auto bad = OpCase("Conv", 11)
                 .input(Tensor::from_vector<float>({1, 1, 4, 4}, F(16, 1.0f)))
                 .weight(Tensor::from_vector<float>({1, 1, 3, 3}, F(9, 1.0f)))
                 .attr("auto_pad", std::string("SAME"))
                 .run();
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("auto_pad"), std::string::npos) << bad.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
