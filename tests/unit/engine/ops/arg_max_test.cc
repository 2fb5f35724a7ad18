#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

// [[1, 5, 3], [4, 2, 6]]
const Tensor kX = Tensor::from_vector<float>({2, 3}, F{1, 5, 3, 4, 2, 6});

TEST(EngineArgMaxTest, AxesAndKeepdims) {
  Tensor y = OpCase("ArgMax", 13).input(kX).attr("axis", int64_t{1}).run_one();
  expect_int64_tensor(y, {2, 1}, {1, 2});
  Tensor z = OpCase("ArgMax", 13).input(kX).attr("keepdims", int64_t{0}).run_one();
  expect_int64_tensor(z, {3}, {1, 0, 1});
  Tensor n = OpCase("ArgMax", 11)
                 .input(kX)
                 .attr("axis", int64_t{-1})
                 .attr("keepdims", int64_t{0})
                 .run_one();
  expect_int64_tensor(n, {2}, {1, 2});
}

TEST(EngineArgMaxTest, SelectLastIndex) {
  const Tensor x = Tensor::from_vector<float>({1, 4}, F{2, 2, 2, 2});
  Tensor first = OpCase("ArgMax", 12).input(x).attr("axis", int64_t{1}).run_one();
  expect_int64_tensor(first, {1, 1}, {0});
  Tensor last = OpCase("ArgMax", 12)
                    .input(x)
                    .attr("axis", int64_t{1})
                    .attr("select_last_index", int64_t{1})
                    .run_one();
  expect_int64_tensor(last, {1, 1}, {3});
}

TEST(EngineArgMaxTest, Int32Input) {
  Tensor y = OpCase("ArgMax", 13)
                 .input(Tensor::from_vector<int32_t>({3}, std::vector<int32_t>{7, -1, 9}))
                 .run_one();
  expect_int64_tensor(y, {1}, {2});
}

TEST(EngineArgMaxTest, Errors) {
  auto r = OpCase("ArgMax", 13).input(kX).attr("axis", int64_t{2}).run();
  ASSERT_FALSE(r.ok());
  // select_last_index arrived in opset 12.
  auto old = OpCase("ArgMax", 11).input(kX).attr("select_last_index", int64_t{1}).run();
  ASSERT_FALSE(old.ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
