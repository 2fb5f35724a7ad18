#include <gtest/gtest.h>

#include "engine/ops/comparison_cases.h"

namespace modelhost::engine::testing {
namespace {

TEST(EngineLessOrEqualTest, ValuesBroadcastingAndDtypes) {
  check_comparison_op("LessOrEqual", 16, {{true, true, false}, {true, true, true, false, false, true}});
}

}  // namespace
}  // namespace modelhost::engine::testing
