#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineOneHotTest, DefaultAxisNegativeAndOutOfRangeIndices) {
  Tensor y = OpCase("OneHot", 11)
                 .input(Tensor::from_vector<int64_t>({4}, I{0, 2, -1, 5}))
                 .input(Tensor::from_vector<float>({}, F{3}))
                 .input(Tensor::from_vector<float>({2}, F{0, 1}))
                 .run_one();
  expect_float_tensor(y, {4, 3}, {1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0});
}

TEST(EngineOneHotTest, Axis0FloatIndicesInt64Values) {
  Tensor y = OpCase("OneHot", 9)
                 .attr("axis", int64_t{0})
                 .input(Tensor::from_vector<float>({2}, F{1, 0}))
                 .input(Tensor::from_vector<int64_t>({1}, I{2}))
                 .input(Tensor::from_vector<int64_t>({2}, I{5, 7}))
                 .run_one();
  expect_int64_tensor(y, {2, 2}, {5, 7, 7, 5});
}

TEST(EngineOneHotTest, Errors) {
  Tensor ind = Tensor::from_vector<int64_t>({1}, I{0});
  EXPECT_FALSE(OpCase("OneHot", 11).input(ind).input(Tensor::from_vector<int64_t>({}, I{0}))
                   .input(Tensor::from_vector<float>({2}, F{0, 1})).run().ok());
  EXPECT_FALSE(OpCase("OneHot", 11).input(ind).input(Tensor::from_vector<int64_t>({}, I{2}))
                   .input(Tensor::from_vector<float>({3}, F{0, 1, 2})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
