#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineMaxUnpoolTest, ScattersIntoInferredShape) {
  Tensor y = OpCase("MaxUnpool", 11)
                 .input(Tensor::from_vector<float>({1, 1, 2, 2}, F{1, 2, 3, 4}))
                 .input(Tensor::from_vector<int64_t>({1, 1, 2, 2}, I{5, 7, 13, 15}))
                 .attr("kernel_shape", std::vector<int64_t>{2, 2})
                 .attr("strides", std::vector<int64_t>{2, 2})
                 .run_one();
  expect_float_tensor(y, {1, 1, 4, 4}, {0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4});
}

TEST(EngineMaxUnpoolTest, LargerOutputShapeKeepsInferredLayout) {
  Tensor y = OpCase("MaxUnpool", 11)
                 .input(Tensor::from_vector<float>({1, 1, 1, 1}, F{9}))
                 .input(Tensor::from_vector<int64_t>({1, 1, 1, 1}, I{3}))
                 .input(Tensor::from_vector<int64_t>({4}, I{1, 1, 3, 3}))
                 .attr("kernel_shape", std::vector<int64_t>{2, 2})
                 .run_one();
  // Inferred [1,1,2,2]: flat 3 is (1,1), which stays (1,1) in the 3x3 output.
  expect_float_tensor(y, {1, 1, 3, 3}, {0, 0, 0, 0, 9, 0, 0, 0, 0});
}

TEST(EngineMaxUnpoolTest, IndexOutOfRangeIsAnError) {
  auto r = OpCase("MaxUnpool", 11)
               .input(Tensor::from_vector<float>({1, 1, 1, 1}, F{9}))
               .input(Tensor::from_vector<int64_t>({1, 1, 1, 1}, I{4}))
               .attr("kernel_shape", std::vector<int64_t>{2, 2})
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("index 4 in I is outside"), std::string::npos)
      << r.status().message();
}

TEST(EngineMaxUnpoolTest, MissingKernelShapeIsALoadError) {
  auto r = OpCase("MaxUnpool", 11)
               .input(Tensor::from_vector<float>({1, 1, 1, 1}, F{9}))
               .input(Tensor::from_vector<int64_t>({1, 1, 1, 1}, I{0}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("kernel_shape is required"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
