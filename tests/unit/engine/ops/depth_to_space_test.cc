#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

std::vector<float> iota(int n) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<float>(i);
  return v;
}

TEST(EngineDepthToSpaceTest, DcrAndCrd) {
  Tensor x = Tensor::from_vector<float>({1, 8, 1, 1}, iota(8));
  expect_float_tensor(OpCase("DepthToSpace").attr("blocksize", int64_t{2}).input(x).run_one(),
                      {1, 2, 2, 2}, {0, 2, 4, 6, 1, 3, 5, 7});
  expect_float_tensor(OpCase("DepthToSpace")
                          .attr("blocksize", int64_t{2})
                          .attr("mode", std::string("CRD"))
                          .input(x)
                          .run_one(),
                      {1, 2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
}

TEST(EngineDepthToSpaceTest, Errors) {
  Tensor x = Tensor::from_vector<float>({1, 3, 1, 1}, iota(3));
  EXPECT_FALSE(OpCase("DepthToSpace").attr("blocksize", int64_t{2}).input(x).run().ok());
  EXPECT_FALSE(OpCase("DepthToSpace").input(x).run().ok());
  EXPECT_FALSE(OpCase("DepthToSpace", 10).attr("blocksize", int64_t{1}).attr("mode", std::string("CRD")).input(x).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
