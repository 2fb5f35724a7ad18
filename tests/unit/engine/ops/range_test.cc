#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineRangeTest, FloatAndInt) {
  Tensor y = OpCase("Range", 11)
                 .input(Tensor::from_vector<float>({}, F{1}))
                 .input(Tensor::from_vector<float>({}, F{2}))
                 .input(Tensor::from_vector<float>({}, F{0.3f}))
                 .run_one();
  expect_float_tensor(y, {4}, {1, 1.3f, 1.6f, 1.9f});
  Tensor z = OpCase("Range", 11)
                 .input(Tensor::from_vector<int64_t>({}, I{10}))
                 .input(Tensor::from_vector<int64_t>({}, I{4}))
                 .input(Tensor::from_vector<int64_t>({}, I{-3}))
                 .run_one();
  expect_int64_tensor(z, {2}, {10, 7});
  Tensor e = OpCase("Range", 11)
                 .input(Tensor::from_vector<int32_t>({}, {5}))
                 .input(Tensor::from_vector<int32_t>({}, {1}))
                 .input(Tensor::from_vector<int32_t>({}, {2}))
                 .run_one();
  EXPECT_EQ(e.shape(), Shape{0});
}

TEST(EngineRangeTest, Errors) {
  auto s = [](int64_t v) { return Tensor::from_vector<int64_t>({}, I{v}); };
  EXPECT_FALSE(OpCase("Range", 11).input(s(0)).input(s(5)).input(s(0)).run().ok());
  EXPECT_FALSE(OpCase("Range", 11).input(s(0)).input(s(int64_t{1} << 62)).input(s(1)).run().ok());
  EXPECT_FALSE(OpCase("Range", 11).input(s(0)).input(Tensor::from_vector<float>({}, F{1})).input(s(1)).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
