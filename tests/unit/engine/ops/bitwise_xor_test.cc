#include <gtest/gtest.h>

#include "engine/ops/bitwise_cases.h"

namespace modelhost::engine::testing {
namespace {

TEST(EngineBitwiseXorTest, SharedBitwiseCases) {
  check_bitwise_op("BitwiseXor", [](auto u, auto v) { return u ^ v; });
}

}  // namespace
}  // namespace modelhost::engine::testing
