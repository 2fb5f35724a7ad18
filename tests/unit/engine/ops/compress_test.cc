#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineCompressTest, AxisAndFlattened) {
  Tensor x = Tensor::from_vector<float>({3, 2}, F{1, 2, 3, 4, 5, 6});
  expect_float_tensor(OpCase("Compress", 11).attr("axis", int64_t{0}).input(x)
                          .input(Tensor::from_vector<bool>({3}, {false, true, true})).run_one(),
                      {2, 2}, {3, 4, 5, 6});
  expect_float_tensor(OpCase("Compress", 11).attr("axis", int64_t{-1}).input(x)
                          .input(Tensor::from_vector<bool>({1}, {true})).run_one(),
                      {3, 1}, {1, 3, 5});
  expect_float_tensor(OpCase("Compress", 9).input(x)
                          .input(Tensor::from_vector<bool>({5}, {false, true, false, false, true})).run_one(),
                      {2}, {2, 5});
}

TEST(EngineCompressTest, Errors) {
  Tensor x = Tensor::from_vector<float>({2}, F{1, 2});
  EXPECT_FALSE(OpCase("Compress").input(x).input(Tensor::from_vector<bool>({3}, {true, true, true})).run().ok());
  EXPECT_FALSE(OpCase("Compress").input(x).input(Tensor::from_vector<int64_t>({2}, I{1, 1})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
