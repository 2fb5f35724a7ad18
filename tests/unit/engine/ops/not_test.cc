#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using D = std::vector<double>;
using I = std::vector<int64_t>;
using B = std::vector<bool>;

TEST(EngineNotTest, Bool) {
  Tensor y = OpCase("Not").input(Tensor::from_vector<bool>({2, 2}, B{true, false, false, true})).run_one();
  ASSERT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(y.to_vector<bool>(), (B{false, true, true, false}));
}

TEST(EngineNotTest, NonBoolFails) {
  EXPECT_FALSE(OpCase("Not").input(Tensor::from_vector<int64_t>({1}, I{1})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
