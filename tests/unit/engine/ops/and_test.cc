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

TEST(EngineAndTest, TruthTable) {
  Tensor y = OpCase("And")
                 .input(Tensor::from_vector<bool>({4}, B{true, true, false, false}))
                 .input(Tensor::from_vector<bool>({4}, B{true, false, true, false}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kBool);
  EXPECT_EQ(y.to_vector<bool>(), (B{true, false, false, false}));
}

TEST(EngineAndTest, Broadcast) {
  // [2,1] {true, false} with [2] {true, false} -> [2,2]
  Tensor y = OpCase("And")
                 .input(Tensor::from_vector<bool>({2, 1}, B{true, false}))
                 .input(Tensor::from_vector<bool>({2}, B{true, false}))
                 .run_one();
  ASSERT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(y.to_vector<bool>(), (B{true, false, false, false}));
}

TEST(EngineAndTest, NonBoolFails) {
  auto r = OpCase("And")
               .input(Tensor::from_vector<float>({1}, F{1}))
               .input(Tensor::from_vector<float>({1}, F{0}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype float32"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
