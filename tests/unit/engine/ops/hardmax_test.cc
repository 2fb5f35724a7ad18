#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;

TEST(EngineHardmaxTest, Opset13AndOpset11) {
  const F x = {0.5f, -1, 2, 0, 3, 3, -2, 1};
  Tensor y = OpCase("Hardmax", 13).input(Tensor::from_vector<float>({2, 4}, x)).run_one();
  expect_float_tensor(y, {2, 4}, {0, 0, 1, 0, 1, 0, 0, 0});  // first of equal maxima
  Tensor z = OpCase("Hardmax", 11).input(Tensor::from_vector<float>({1, 2, 4}, x)).run_one();
  expect_float_tensor(z, {1, 2, 4}, {0, 0, 0, 0, 1, 0, 0, 0});  // one row of 8
  Tensor a = OpCase("Hardmax", 13)
                 .attr("axis", int64_t{0})
                 .input(Tensor::from_vector<float>({2, 4}, x))
                 .run_one();
  expect_float_tensor(a, {2, 4}, {0, 0, 1, 0, 1, 1, 0, 1});
}

TEST(EngineHardmaxTest, Errors) {
  auto r = OpCase("Hardmax", 13)
               .input(Tensor::from_vector<int64_t>({2}, std::vector<int64_t>{1, 2}))
               .run();
  ASSERT_FALSE(r.ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
