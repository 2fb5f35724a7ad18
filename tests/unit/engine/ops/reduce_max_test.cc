#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

// [[1, 5, 3], [4, 2, 6]]
const Tensor kX = Tensor::from_vector<float>({2, 3}, F{1, 5, 3, 4, 2, 6});

TEST(EngineReduceMaxTest, AxesAttribute) {
  Tensor y = OpCase("ReduceMax", 17).input(kX).attr("axes", I{1}).run_one();
  expect_float_tensor(y, {2, 1}, {5, 6}, 1e-4f);
  Tensor all = OpCase("ReduceMax", 17).input(kX).attr("keepdims", int64_t{0}).run_one();
  expect_float_tensor(all, {}, {6}, 1e-3f);
  Tensor neg =
      OpCase("ReduceMax", 17).input(kX).attr("axes", I{-1}).attr("keepdims", int64_t{0}).run_one();
  expect_float_tensor(neg, {2}, {5, 6}, 1e-4f);
}

TEST(EngineReduceMaxTest, AxesInput) {
  Tensor y =
      OpCase("ReduceMax", 18).input(kX).weight(Tensor::from_vector<int64_t>({1}, I{1})).run_one();
  expect_float_tensor(y, {2, 1}, {5, 6}, 1e-4f);
  // No axes: all dims, unless noop_with_empty_axes.
  Tensor all = OpCase("ReduceMax", 18).input(kX).run_one();
  expect_float_tensor(all, {1, 1}, {6}, 1e-3f);
  Tensor same =
      OpCase("ReduceMax", 18).input(kX).attr("noop_with_empty_axes", int64_t{1}).run_one();
  expect_float_tensor(same, {2, 3}, {1, 5, 3, 4, 2, 6});
}

TEST(EngineReduceMaxTest, Errors) {
  auto r = OpCase("ReduceMax", 17).input(kX).attr("axes", I{2}).run();
  ASSERT_FALSE(r.ok());
  // The axes attribute is gone once axes is an input.
  auto attr = OpCase("ReduceMax", 18).input(kX).attr("axes", I{1}).run();
  ASSERT_FALSE(attr.ok());
}

TEST(EngineReduceMaxTest, Int64) {
  Tensor y = OpCase("ReduceMax", 17)
                 .input(Tensor::from_vector<int64_t>({2, 3}, I{1, 5, 3, 4, 2, 6}))
                 .attr("axes", I{1})
                 .attr("keepdims", int64_t{0})
                 .run_one();
  expect_int64_tensor(y, {2}, {5, 6});
}

}  // namespace
}  // namespace modelhost::engine::testing
