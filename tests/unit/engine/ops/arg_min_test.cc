#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

// [[1, 5, 3], [4, 2, 6]]
const Tensor kX = Tensor::from_vector<float>({2, 3}, F{1, 5, 3, 4, 2, 6});

TEST(EngineArgMinTest, AxesAndKeepdims) {
  Tensor y = OpCase("ArgMin", 13).input(kX).attr("axis", int64_t{1}).run_one();
  expect_int64_tensor(y, {2, 1}, {0, 1});
  Tensor z = OpCase("ArgMin", 13).input(kX).attr("keepdims", int64_t{0}).run_one();
  expect_int64_tensor(z, {3}, {0, 1, 0});
  Tensor n = OpCase("ArgMin", 11)
                 .input(kX)
                 .attr("axis", int64_t{-1})
                 .attr("keepdims", int64_t{0})
                 .run_one();
  expect_int64_tensor(n, {2}, {0, 1});
}

TEST(EngineArgMinTest, SelectLastIndex) {
  const Tensor x = Tensor::from_vector<float>({1, 4}, F{2, 2, 2, 2});
  Tensor first = OpCase("ArgMin", 12).input(x).attr("axis", int64_t{1}).run_one();
  expect_int64_tensor(first, {1, 1}, {0});
  Tensor last = OpCase("ArgMin", 12)
                    .input(x)
                    .attr("axis", int64_t{1})
                    .attr("select_last_index", int64_t{1})
                    .run_one();
  expect_int64_tensor(last, {1, 1}, {3});
}

TEST(EngineArgMinTest, Int32Input) {
  Tensor y = OpCase("ArgMin", 13)
                 .input(Tensor::from_vector<int32_t>({3}, std::vector<int32_t>{7, -1, 9}))
                 .run_one();
  expect_int64_tensor(y, {1}, {1});
}

TEST(EngineArgMinTest, Errors) {
  auto r = OpCase("ArgMin", 13).input(kX).attr("axis", int64_t{2}).run();
  ASSERT_FALSE(r.ok());
  // select_last_index arrived in opset 12.
  auto old = OpCase("ArgMin", 11).input(kX).attr("select_last_index", int64_t{1}).run();
  ASSERT_FALSE(old.ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
