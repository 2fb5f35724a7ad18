#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineTensorScatterTest, LinearWritesAtEachBatchIndex) {
  // cache [2 batch, 4 seq, 1], update [2, 2, 1]
  Tensor y = OpCase("TensorScatter", 24)
                 .input(Tensor::from_vector<float>({2, 4, 1}, F{0, 0, 0, 0, 0, 0, 0, 0}))
                 .input(Tensor::from_vector<float>({2, 2, 1}, F{1, 2, 3, 4}))
                 .input(Tensor::from_vector<int64_t>({2}, I{1, 2}))
                 .run_one();
  expect_float_tensor(y, {2, 4, 1}, {0, 1, 2, 0, 0, 0, 3, 4});
}

TEST(EngineTensorScatterTest, CircularWraps) {
  Tensor y = OpCase("TensorScatter", 24)
                 .input(Tensor::from_vector<float>({1, 3}, F{7, 7, 7}))
                 .input(Tensor::from_vector<float>({1, 2}, F{1, 2}))
                 .input(Tensor::from_vector<int64_t>({1}, I{2}))
                 .attr("axis", int64_t{1})
                 .attr("mode", std::string("circular"))
                 .run_one();
  expect_float_tensor(y, {1, 3}, {2, 7, 1});
}

TEST(EngineTensorScatterTest, LinearOverflowIsAnError) {
  auto r = OpCase("TensorScatter", 24)
               .input(Tensor::from_vector<float>({1, 3}, F{7, 7, 7}))
               .input(Tensor::from_vector<float>({1, 2}, F{1, 2}))
               .input(Tensor::from_vector<int64_t>({1}, I{2}))
               .attr("axis", int64_t{1})
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("write position 3 for batch 0"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
