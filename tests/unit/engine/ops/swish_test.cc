#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineSwishTest, DefaultAlphaIsSilu) {
  Tensor y = OpCase("Swish", 24).input(Tensor::from_vector<float>({3}, F{0, 1, -2})).run_one();
  expect_float_tensor(y, {3}, {0.0f, 0.7310586f, -0.2384058f});
}

TEST(EngineSwishTest, Alpha) {
  Tensor y = OpCase("Swish", 24)
                 .input(Tensor::from_vector<float>({2, 2}, F{3, 4, 0, -2}))
                 .attr("alpha", 0.5f)
                 .run_one();
  expect_float_tensor(y, {2, 2}, {2.4527235f, 3.5231881f, 0.0f, -0.5378828f});
}

TEST(EngineSwishTest, IntegerInputIsRejected) {
  EXPECT_FALSE(OpCase("Swish", 24).input(Tensor::from_vector<int64_t>({1}, I{1})).run().ok());
}

TEST(EngineSwishTest, NotAvailableBeforeOpset24) {
  EXPECT_FALSE(OpCase("Swish", 23).input(Tensor::from_vector<float>({1}, F{1})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
