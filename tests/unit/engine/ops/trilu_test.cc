#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineTriluTest, UpperLowerWithK) {
  Tensor x = Tensor::from_vector<float>({3, 3}, F{1, 2, 3, 4, 5, 6, 7, 8, 9});
  expect_float_tensor(OpCase("Trilu", 14).input(x).run_one(), {3, 3}, {1, 2, 3, 0, 5, 6, 0, 0, 9});
  expect_float_tensor(OpCase("Trilu", 14).attr("upper", int64_t{0}).input(x)
                          .input(Tensor::from_vector<int64_t>({}, I{-1})).run_one(),
                      {3, 3}, {0, 0, 0, 4, 0, 0, 7, 8, 0});
  expect_float_tensor(OpCase("Trilu", 14).input(x).input(Tensor::from_vector<int64_t>({}, I{1})).run_one(),
                      {3, 3}, {0, 2, 3, 0, 0, 6, 0, 0, 0});
}

TEST(EngineTriluTest, BatchedInt64) {
  Tensor y = OpCase("Trilu", 14).attr("upper", int64_t{0})
                 .input(Tensor::from_vector<int64_t>({2, 1, 2}, I{1, 2, 3, 4})).run_one();
  expect_int64_tensor(y, {2, 1, 2}, {1, 0, 3, 0});
}

TEST(EngineTriluTest, Errors) {
  EXPECT_FALSE(OpCase("Trilu", 14).input(Tensor::from_vector<float>({3}, F{1, 2, 3})).run().ok());
  EXPECT_FALSE(OpCase("Trilu", 13).input(Tensor::from_vector<float>({1, 1}, F{1})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
