#include <gtest/gtest.h>

#include "engine/ops/logic_cases.h"

namespace modelhost::engine::testing {
namespace {

TEST(EngineXorTest, TruthTableBroadcastingAndDtypes) {
  check_logic_op("Xor", {{false, true, true, false}, {false, true, true, false}});
}

}  // namespace
}  // namespace modelhost::engine::testing
