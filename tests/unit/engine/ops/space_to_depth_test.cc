#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineSpaceToDepthTest, InverseOfDcr) {
  Tensor y = OpCase("SpaceToDepth")
                 .attr("blocksize", int64_t{2})
                 .input(Tensor::from_vector<float>({1, 2, 2, 2}, F{0, 2, 4, 6, 1, 3, 5, 7}))
                 .run_one();
  expect_float_tensor(y, {1, 8, 1, 1}, {0, 1, 2, 3, 4, 5, 6, 7});
  Tensor z = OpCase("SpaceToDepth")
                 .attr("blocksize", int64_t{2})
                 .input(Tensor::from_vector<int64_t>({1, 1, 2, 4}, I{0, 1, 2, 3, 4, 5, 6, 7}))
                 .run_one();
  expect_int64_tensor(z, {1, 4, 1, 2}, {0, 2, 1, 3, 4, 6, 5, 7});
}

TEST(EngineSpaceToDepthTest, IndivisibleIsAnError) {
  EXPECT_FALSE(OpCase("SpaceToDepth").attr("blocksize", int64_t{2})
                   .input(Tensor::from_vector<float>({1, 1, 3, 2}, F(6))).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
