#include <gtest/gtest.h>

#include "engine/ops/comparison_cases.h"

namespace modelhost::engine::testing {
namespace {

TEST(EngineLessTest, ValuesBroadcastingAndDtypes) {
  check_comparison_op("Less", 13, {{true, false, false}, {false, true, true, false, false, false}});
}

}  // namespace
}  // namespace modelhost::engine::testing
