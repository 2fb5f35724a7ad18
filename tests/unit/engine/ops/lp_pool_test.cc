#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineLpPoolTest, P2AndP1) {
  const Tensor x = Tensor::from_vector<float>(
      {1, 1, 4, 4}, F{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
  Tensor y = OpCase("LpPool", 11)
                 .input(x)
                 .attr("kernel_shape", I{2, 2})
                 .attr("strides", I{2, 2})
                 .run_one();
  expect_float_tensor(y, {1, 1, 2, 2}, {8.124038f, 11.747340f, 23.366643f, 27.313000f}, 1e-4f);
  Tensor z = OpCase("LpPool", 11)
                 .input(Tensor::from_vector<float>({1, 1, 3}, F{-1, 2, -3}))
                 .attr("kernel_shape", I{2})
                 .attr("p", int64_t{1})
                 .run_one();
  expect_float_tensor(z, {1, 1, 2}, {3, 5});
}

TEST(EngineLpPoolTest, Errors) {
  auto r = OpCase("LpPool", 11)
               .input(Tensor::from_vector<float>({1, 1, 3}, F{1, 2, 3}))
               .attr("kernel_shape", I{2})
               .attr("p", int64_t{0})
               .run();
  ASSERT_FALSE(r.ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
