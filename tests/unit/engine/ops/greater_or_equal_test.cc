#include <gtest/gtest.h>

#include "engine/ops/comparison_cases.h"

namespace modelhost::engine::testing {
namespace {

TEST(EngineGreaterOrEqualTest, ValuesBroadcastingAndDtypes) {
  check_comparison_op("GreaterOrEqual", 16, {{false, true, true}, {true, false, false, true, true, true}});
}

}  // namespace
}  // namespace modelhost::engine::testing
