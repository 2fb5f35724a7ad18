#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineTanhTest, Values) {
  Tensor y = OpCase("Tanh").input(Tensor::from_vector<float>({3}, F{0, 1, -0.5f})).run_one();
  expect_float_tensor(y, {3}, {0.0f, 0.7615942f, -0.4621172f});
}

}  // namespace
}  // namespace modelhost::engine::testing
