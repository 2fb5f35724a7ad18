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

constexpr int64_t kInt32 = 6;  // ONNX TensorProto.INT32

TEST(EngineCastLikeTest, TakesTheTargetsDtype) {
  Tensor y = OpCase("CastLike", 15)
                 .input(Tensor::from_vector<float>({3}, F{1.5f, -2.5f, 0}))
                 .input(Tensor::from_vector<int64_t>({1}, I{0}))
                 .run_one();
  expect_int64_tensor(y, {3}, {1, -2, 0});
  Tensor b = OpCase("CastLike", 19)
                 .input(Tensor::from_vector<double>({2}, D{0, 3}))
                 .input(Tensor::from_vector<bool>({}, B{false}))
                 .attr("saturate", int64_t{1})
                 .run_one();
  EXPECT_EQ(b.to_vector<bool>(), (B{false, true}));
}

TEST(EngineCastLikeTest, NotBeforeOpset15) {
  EXPECT_FALSE(OpCase("CastLike", 14)
                   .input(Tensor::from_vector<float>({1}, F{1}))
                   .input(Tensor::from_vector<int64_t>({1}, I{0}))
                   .run()
                   .ok());
}

TEST(EngineCastLikeTest, UnknownAttributeFails) {
  EXPECT_FALSE(OpCase("CastLike", 15)
                   .input(Tensor::from_vector<float>({1}, F{1}))
                   .input(Tensor::from_vector<int64_t>({1}, I{0}))
                   .attr("to", kInt32)
                   .run()
                   .ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
