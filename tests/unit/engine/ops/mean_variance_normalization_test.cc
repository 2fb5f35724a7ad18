#include <gtest/gtest.h>

#include <numeric>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineMeanVarianceNormalizationTest, DefaultAxes) {
  F x(8);
  std::iota(x.begin(), x.end(), 0.0f);
  Tensor y = OpCase("MeanVarianceNormalization", 13)
                 .input(Tensor::from_vector<float>({2, 2, 2, 1}, x))
                 .run_one();
  expect_float_tensor(
      y, {2, 2, 2, 1},
      {-1.212678f, -0.727607f, -1.212678f, -0.727607f, 0.727607f, 1.212678f, 0.727607f, 1.212678f});
}

TEST(EngineMeanVarianceNormalizationTest, LastAxis) {
  Tensor y = OpCase("MeanVarianceNormalization", 9)
                 .input(Tensor::from_vector<float>({2, 2}, F{1, 3, 5, 5}))
                 .attr("axes", I{1})
                 .run_one();
  expect_float_tensor(y, {2, 2}, {-1, 1, 0, 0});
}

TEST(EngineMeanVarianceNormalizationTest, Errors) {
  auto r = OpCase("MeanVarianceNormalization", 13)
               .input(Tensor::from_vector<float>({2, 2}, F{1, 3, 5, 5}))
               .attr("axes", I{3})
               .run();
  ASSERT_FALSE(r.ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
