#include <gtest/gtest.h>

#include "engine/ops/logic_cases.h"

namespace modelhost::engine::testing {
namespace {

TEST(EngineAndTest, TruthTableBroadcastingAndDtypes) {
  check_logic_op("And", {{true, false, false, false}, {true, false, false, false}});
}

}  // namespace
}  // namespace modelhost::engine::testing
