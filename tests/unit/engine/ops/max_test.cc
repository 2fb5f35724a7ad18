#include <gtest/gtest.h>

#include <cmath>

#include "engine/ops/variadic_cases.h"

namespace modelhost::engine::testing {
namespace {

TEST(EngineMaxTest, SharedVariadicCases) {
  check_variadic_op("Max", {.three_inputs = {3, 5, 4},
                             .broadcast = {2, 3, 6, 4, 4, 6},
                             .int64 = {3, 4, 4},
                             .float64 = {3, 2, 2}});
}

TEST(EngineMaxTest, NaNPropagates) {
  Tensor y = OpCase("Max")
                 .input(Tensor::from_vector<float>({2}, std::vector<float>{NAN, 1}))
                 .input(Tensor::from_vector<float>({2}, std::vector<float>{1, NAN}))
                 .run_one();
  EXPECT_TRUE(std::isnan(y.data<float>()[0]));
  EXPECT_TRUE(std::isnan(y.data<float>()[1]));
}

}  // namespace
}  // namespace modelhost::engine::testing
