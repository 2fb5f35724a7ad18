#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineReluTest, Float) {
  Tensor y = OpCase("Relu").input(Tensor::from_vector<float>({4}, F{-1, 0, 2.5f, -0.1f})).run_one();
  expect_float_tensor(y, {4}, {0, 0, 2.5f, 0});
}

TEST(EngineReluTest, Int64) {
  Tensor y = OpCase("Relu", 14).input(Tensor::from_vector<int64_t>({3}, I{-4, 0, 9})).run_one();
  expect_int64_tensor(y, {3}, {0, 0, 9});
}

}  // namespace
}  // namespace modelhost::engine::testing
