#include <gtest/gtest.h>

#include "engine/ops/comparison_cases.h"

namespace modelhost::engine::testing {
namespace {

TEST(EngineGreaterTest, ValuesBroadcastingAndDtypes) {
  check_comparison_op("Greater", 13, {{false, false, true}, {false, false, false, true, true, false}});
}

}  // namespace
}  // namespace modelhost::engine::testing
