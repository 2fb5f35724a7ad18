#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineCol2ImTest, OverlappingBlocksAdd) {
  std::vector<float> x(16);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i + 1);
  Tensor y = OpCase("Col2Im", 18)
                 .input(Tensor::from_vector<float>({1, 4, 4}, x))
                 .input(Tensor::from_vector<int64_t>({2}, I{3, 3}))
                 .input(Tensor::from_vector<int64_t>({2}, I{2, 2}))
                 .run_one();
  expect_float_tensor(y, {1, 1, 3, 3}, {1, 7, 6, 12, 34, 22, 11, 27, 16});
}

TEST(EngineCol2ImTest, StridesAndPads) {
  // 1-D image of 4 with blocks of 2, stride 2, one pad each side: 3 blocks at -1, 1, 3.
  Tensor y = OpCase("Col2Im", 18)
                 .input(Tensor::from_vector<float>({1, 2, 3}, F{1, 2, 3, 10, 20, 30}))
                 .input(Tensor::from_vector<int64_t>({1}, I{4}))
                 .input(Tensor::from_vector<int64_t>({1}, I{2}))
                 .attr("strides", std::vector<int64_t>{2})
                 .attr("pads", std::vector<int64_t>{1, 1})
                 .run_one();
  expect_float_tensor(y, {1, 1, 4}, {10, 2, 20, 3});
}

TEST(EngineCol2ImTest, WrongColumnCountIsAnError) {
  auto r = OpCase("Col2Im", 18)
               .input(Tensor::from_vector<float>({1, 4, 3}, F(12, 1.0f)))
               .input(Tensor::from_vector<int64_t>({2}, I{3, 3}))
               .input(Tensor::from_vector<int64_t>({2}, I{2, 2}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("must be [N, C * 4, 4]"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
