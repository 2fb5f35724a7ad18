#include <gtest/gtest.h>

#include "engine/ops/logic_cases.h"

namespace modelhost::engine::testing {
namespace {

TEST(EngineOrTest, TruthTableBroadcastingAndDtypes) {
  check_logic_op("Or", {{true, true, true, false}, {true, true, true, false}});
}

}  // namespace
}  // namespace modelhost::engine::testing
