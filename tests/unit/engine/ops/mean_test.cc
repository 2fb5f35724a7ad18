#include <gtest/gtest.h>

#include "engine/ops/variadic_cases.h"

namespace modelhost::engine::testing {
namespace {

TEST(EngineMeanTest, SharedVariadicCases) {
  check_variadic_op("Mean", {.three_inputs = {2, 11.0f / 3, 5.0f / 3},
                             .broadcast = {1.5f, 2, 3.5f, 3, 3.5f, 5},
                             .int64 = {2, 3, 2},
                             .float64 = {2.5, 2, 1.5}});
}

}  // namespace
}  // namespace modelhost::engine::testing
