#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineDftTest, RealSignalOpset17AxisAttribute) {
  Tensor y =
      OpCase("DFT", 17).input(Tensor::from_vector<float>({1, 4, 1}, F{1, 2, 3, 4})).run_one();
  expect_float_tensor(y, {1, 4, 2}, {10, 0, -2, 2, -2, 0, -2, -2});
}

TEST(EngineDftTest, OnesidedAndZeroPaddedLength) {
  // dft_length 5 pads a zero; onesided keeps 5 / 2 + 1 = 3 bins. X[0] = 3, X[k] = 1 + 2 w^k.
  Tensor y = OpCase("DFT", 17)
                 .input(Tensor::from_vector<float>({1, 2, 1}, F{1, 2}))
                 .input(Tensor::from_vector<int64_t>({}, I{5}))
                 .attr("onesided", int64_t{1})
                 .run_one();
  const double w1 = 2 * 3.14159265358979323846 / 5;
  expect_float_tensor(
      y, {1, 3, 2},
      {3, 0, static_cast<float>(1 + 2 * std::cos(w1)), static_cast<float>(-2 * std::sin(w1)),
       static_cast<float>(1 + 2 * std::cos(2 * w1)), static_cast<float>(-2 * std::sin(2 * w1))});
}

TEST(EngineDftTest, InverseOfComplexOpset20AxisInput) {
  // The spectrum of [1, 2, 3, 4] transformed back.
  Tensor y = OpCase("DFT", 20)
                 .input(Tensor::from_vector<float>({1, 4, 2}, F{10, 0, -2, 2, -2, 0, -2, -2}))
                 .omitted()
                 .input(Tensor::from_vector<int64_t>({}, I{1}))
                 .attr("inverse", int64_t{1})
                 .run_one();
  expect_float_tensor(y, {1, 4, 2}, {1, 0, 2, 0, 3, 0, 4, 0});
}

TEST(EngineDftTest, InnerAxis) {
  // Shape [1, 2, 2, 1], transformed along dim 2: [1, 2] and [5, 7] separately.
  Tensor y = OpCase("DFT", 17)
                 .input(Tensor::from_vector<float>({1, 2, 2, 1}, F{1, 2, 5, 7}))
                 .attr("axis", int64_t{2})
                 .run_one();
  expect_float_tensor(y, {1, 2, 2, 2}, {3, 0, -1, 0, 12, 0, -2, 0});
}

TEST(EngineDftTest, LastAxisIsAnError) {
  auto r = OpCase("DFT", 17)
               .input(Tensor::from_vector<float>({1, 4, 1}, F{1, 2, 3, 4}))
               .attr("axis", int64_t{2})
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("must not be the last"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
