#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;

const F kX = {0.5f, -1, 2, 0, 3, 3, -2, 1};

TEST(EngineLogSoftmaxTest, Opset13LastAxis) {
  Tensor y = OpCase("LogSoftmax", 13).input(Tensor::from_vector<float>({2, 4}, kX)).run_one();
  expect_float_tensor(y, {2, 4},
                      {-1.842350f, -3.342350f, -0.342350f, -2.342350f, -0.761774f, -0.761774f,
                       -5.761774f, -2.761774f});
}

TEST(EngineLogSoftmaxTest, Opset11CoercesTo2D) {
  Tensor y = OpCase("LogSoftmax", 11).input(Tensor::from_vector<float>({2, 2, 2}, kX)).run_one();
  expect_float_tensor(y, {2, 2, 2},
                      {-1.842350f, -3.342350f, -0.342350f, -2.342350f, -0.761774f, -0.761774f,
                       -5.761774f, -2.761774f});
  // Opset 13 with the same input: along the last dim of 2.
  Tensor z = OpCase("LogSoftmax", 13).input(Tensor::from_vector<float>({2, 2, 2}, kX)).run_one();
  expect_float_tensor(z, {2, 2, 2},
                      {-0.201413f, -1.701413f, -0.126928f, -2.126928f, -0.693147f, -0.693147f,
                       -3.048587f, -0.048587f});
}

TEST(EngineLogSoftmaxTest, LargeValuesAndErrors) {
  Tensor y =
      OpCase("LogSoftmax", 13).input(Tensor::from_vector<float>({2}, F{1000, 1000})).run_one();
  expect_float_tensor(y, {2}, {-0.693147f, -0.693147f});
  auto r = OpCase("LogSoftmax", 13)
               .attr("axis", int64_t{3})
               .input(Tensor::from_vector<float>({2}, F{1, 2}))
               .run();
  ASSERT_FALSE(r.ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
