#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineIdentityTest, FloatAndInt64) {
  Tensor f = OpCase("Identity").input(Tensor::from_vector<float>({2}, F{1.5f, -2})).run_one();
  expect_float_tensor(f, {2}, {1.5f, -2});
  Tensor i = OpCase("Identity").input(Tensor::from_vector<int64_t>({2, 1}, I{7, 8})).run_one();
  expect_int64_tensor(i, {2, 1}, {7, 8});
}

TEST(EngineIdentityTest, OfAWeight) {
  Tensor w = OpCase("Identity").weight(Tensor::from_vector<int64_t>({3}, I{1, 2, 3})).run_one();
  expect_int64_tensor(w, {3}, {1, 2, 3});
}

}  // namespace
}  // namespace modelhost::engine::testing
