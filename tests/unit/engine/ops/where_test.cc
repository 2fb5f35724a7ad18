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

TEST(EngineWhereTest, SameShape) {
  Tensor y = OpCase("Where")
                 .input(Tensor::from_vector<bool>({2, 2}, B{true, false, true, true}))
                 .input(Tensor::from_vector<float>({2, 2}, F{1, 2, 3, 4}))
                 .input(Tensor::from_vector<float>({2, 2}, F{9, 8, 7, 6}))
                 .run_one();
  expect_float_tensor(y, {2, 2}, {1, 8, 3, 4});
}

TEST(EngineWhereTest, BroadcastsAllThree) {
  // cond [2,1], x [3], y scalar -> [2,3]
  Tensor y = OpCase("Where")
                 .input(Tensor::from_vector<bool>({2, 1}, B{true, false}))
                 .input(Tensor::from_vector<int64_t>({3}, I{1, 2, 3}))
                 .input(Tensor::from_vector<int64_t>({}, I{-1}))
                 .run_one();
  expect_int64_tensor(y, {2, 3}, {1, 2, 3, -1, -1, -1});
  // cond [3] against x [2,1] and y [1,1,3]... -> [1,2,3]
  Tensor z = OpCase("Where")
                 .input(Tensor::from_vector<bool>({3}, B{true, false, true}))
                 .input(Tensor::from_vector<float>({2, 1}, F{1, 2}))
                 .input(Tensor::from_vector<float>({1, 1, 3}, F{10, 20, 30}))
                 .run_one();
  expect_float_tensor(z, {1, 2, 3}, {1, 20, 1, 2, 20, 2});
}

TEST(EngineWhereTest, ScalarsAndBool) {
  Tensor y = OpCase("Where", 16)
                 .input(Tensor::from_vector<bool>({}, B{false}))
                 .input(Tensor::from_vector<bool>({}, B{false}))
                 .input(Tensor::from_vector<bool>({}, B{true}))
                 .run_one();
  ASSERT_EQ(y.shape(), Shape{});
  EXPECT_EQ(y.to_vector<bool>(), (B{true}));
}

TEST(EngineWhereTest, NonBoolConditionFails) {
  auto r = OpCase("Where")
               .input(Tensor::from_vector<float>({1}, F{1}))
               .input(Tensor::from_vector<float>({1}, F{1}))
               .input(Tensor::from_vector<float>({1}, F{2}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype float32"), std::string::npos);
}

TEST(EngineWhereTest, MixedValueDtypesFail) {
  EXPECT_FALSE(OpCase("Where")
                   .input(Tensor::from_vector<bool>({1}, B{true}))
                   .input(Tensor::from_vector<float>({1}, F{1}))
                   .input(Tensor::from_vector<int64_t>({1}, I{2}))
                   .run()
                   .ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
