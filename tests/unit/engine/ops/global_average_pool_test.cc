#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;

TEST(EngineGlobalAveragePoolTest, Basic) {
  Tensor y = OpCase("GlobalAveragePool")
                 .input(Tensor::from_vector<float>({1, 2, 2, 2}, F{1, 2, 3, 4, 5, 6, 7, 9}))
                 .run_one();
  expect_float_tensor(y, {1, 2, 1, 1}, {2.5f, 6.75f});
  Tensor z = OpCase("GlobalAveragePool")
                 .input(Tensor::from_vector<float>({1, 1, 3}, F{1, 2, 6}))
                 .run_one();
  expect_float_tensor(z, {1, 1, 1}, {3});
}

TEST(EngineGlobalAveragePoolTest, Errors) {
  auto r = OpCase("GlobalAveragePool").input(Tensor::from_vector<float>({2}, F{1, 2})).run();
  ASSERT_FALSE(r.ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
