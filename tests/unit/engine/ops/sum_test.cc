#include <gtest/gtest.h>

#include "engine/ops/variadic_cases.h"

namespace modelhost::engine::testing {
namespace {

TEST(EngineSumTest, SharedVariadicCases) {
  check_variadic_op("Sum", {.three_inputs = {6, 11, 5},
                             .broadcast = {3, 4, 7, 6, 7, 10},
                             .int64 = {4, 6, 5},
                             .float64 = {5, 4, 3}});
}

}  // namespace
}  // namespace modelhost::engine::testing
