#include <gtest/gtest.h>

#include "engine/ops/bitwise_cases.h"

namespace modelhost::engine::testing {
namespace {

TEST(EngineBitwiseOrTest, SharedBitwiseCases) {
  check_bitwise_op("BitwiseOr", [](auto u, auto v) { return u | v; });
}

}  // namespace
}  // namespace modelhost::engine::testing
