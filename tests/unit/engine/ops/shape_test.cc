#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineShapeTest, DimsOfAnyDtype) {
  Tensor y = OpCase("Shape").input(Tensor::from_vector<int32_t>({2, 3, 4}, {})).run_one();
  expect_int64_tensor(y, {3}, {2, 3, 4});
  Tensor s = OpCase("Shape").input(Tensor::from_vector<float>({}, F{1})).run_one();
  expect_int64_tensor(s, {0}, {});
}

TEST(EngineShapeTest, StartEndFromOpset15) {
  Tensor x = Tensor::from_vector<float>({2, 3, 4, 5}, {});
  expect_int64_tensor(OpCase("Shape", 15).attr("start", int64_t{1}).input(x).run_one(), {3},
                      {3, 4, 5});
  expect_int64_tensor(
      OpCase("Shape", 15).attr("start", int64_t{-3}).attr("end", int64_t{-1}).input(x).run_one(),
      {2}, {3, 4});
  // Clamped, and empty when start >= end.
  expect_int64_tensor(
      OpCase("Shape", 15).attr("start", int64_t{-10}).attr("end", int64_t{10}).input(x).run_one(),
      {4}, {2, 3, 4, 5});
  expect_int64_tensor(
      OpCase("Shape", 15).attr("start", int64_t{3}).attr("end", int64_t{1}).input(x).run_one(), {0},
      {});
}

TEST(EngineShapeTest, StartIsALoadErrorBeforeOpset15) {
  auto r = OpCase("Shape", 13).attr("start", int64_t{1}).input(Tensor::from_vector<float>({2}, {})).run();
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
