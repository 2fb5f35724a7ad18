#include <gtest/gtest.h>

#include "engine/ops/variadic_cases.h"

namespace modelhost::engine::testing {
namespace {

TEST(EngineMinTest, SharedVariadicCases) {
  check_variadic_op("Min", {.three_inputs = {1, 2, 0},
                             .broadcast = {1, 1, 1, 2, 3, 4},
                             .int64 = {1, 2, 1},
                             .float64 = {2, 2, 1}});
}

}  // namespace
}  // namespace modelhost::engine::testing
