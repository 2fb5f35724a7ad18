#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineMatMulTest, TwoD) {
  Tensor y = OpCase("MatMul")
                 .input(Tensor::from_vector<float>({2, 3}, F{1, 2, 3, 4, 5, 6}))
                 .weight(Tensor::from_vector<float>({3, 2}, F{1, 0, 0, 1, 1, 1}))
                 .run_one();
  expect_float_tensor(y, {2, 2}, {4, 5, 10, 11});
}

TEST(EngineMatMulTest, OneDOperands) {
  Tensor mat = Tensor::from_vector<float>({2, 3}, F{1, 2, 3, 4, 5, 6});
  // [2] x [2,3] -> [3]
  Tensor vm = OpCase("MatMul").input(Tensor::from_vector<float>({2}, F{1, 1})).input(mat).run_one();
  expect_float_tensor(vm, {3}, {5, 7, 9});
  // [2,3] x [3] -> [2]
  Tensor mv =
      OpCase("MatMul").input(mat).input(Tensor::from_vector<float>({3}, F{1, 0, -1})).run_one();
  expect_float_tensor(mv, {2}, {-2, -2});
  // [3] x [3] -> []
  Tensor vv = OpCase("MatMul")
                  .input(Tensor::from_vector<float>({3}, F{1, 2, 3}))
                  .input(Tensor::from_vector<float>({3}, F{4, 5, 6}))
                  .run_one();
  expect_float_tensor(vv, {}, {32});
}

TEST(EngineMatMulTest, BatchedWithBroadcast) {
  // [2,1,2,2] x [3,2,2] -> [2,3,2,2]; B's batches are I, 2I, [[0,1],[1,0]].
  std::vector<float> a = {1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<float> b = {1, 0, 0, 1, 2, 0, 0, 2, 0, 1, 1, 0};
  Tensor y = OpCase("MatMul")
                 .threads(3)
                 .input(Tensor::from_vector<float>({2, 1, 2, 2}, a))
                 .weight(Tensor::from_vector<float>({3, 2, 2}, b))
                 .run_one();
  expect_float_tensor(y, {2, 3, 2, 2},
                      {1, 2, 3, 4, 2, 4, 6, 8, 2, 1, 4, 3, 5, 6, 7, 8, 10, 12, 14, 16, 6, 5, 8, 7});
}

TEST(EngineMatMulTest, BatchedTimes2D) {
  // [2,1,2] x [2,2] -> [2,1,2]
  Tensor y = OpCase("MatMul")
                 .input(Tensor::from_vector<float>({2, 1, 2}, F{1, 2, 3, 4}))
                 .weight(Tensor::from_vector<float>({2, 2}, F{1, 1, 0, 1}))
                 .run_one();
  expect_float_tensor(y, {2, 1, 2}, {1, 3, 3, 7});
}

TEST(EngineMatMulTest, Int64LargerThanTheMicroKernel) {
  // [6,5] x [5,18]: packed strips with a partial last strip, 4 + 2 rows.
  std::vector<int64_t> a(30), b(90);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<int64_t>(i % 7) - 3;
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<int64_t>(i % 5) - 2;
  Tensor y = OpCase("MatMul")
                 .input(Tensor::from_vector<int64_t>({6, 5}, a))
                 .input(Tensor::from_vector<int64_t>({5, 18}, b))
                 .run_one();
  std::vector<int64_t> want(6 * 18, 0);
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 18; ++j)
      for (int p = 0; p < 5; ++p) want[i * 18 + j] += a[i * 5 + p] * b[p * 18 + j];
  expect_int64_tensor(y, {6, 18}, want);
}

TEST(EngineMatMulTest, Int64) {
  Tensor y = OpCase("MatMul")
                 .input(Tensor::from_vector<int64_t>({1, 2}, I{3, 4}))
                 .input(Tensor::from_vector<int64_t>({2, 2}, I{1, 2, 3, 4}))
                 .run_one();
  expect_int64_tensor(y, {1, 2}, {15, 22});
}

TEST(EngineMatMulTest, MismatchFails) {
  auto r = OpCase("MatMul")
               .input(Tensor::from_vector<float>({2, 3}, F(6)))
               .input(Tensor::from_vector<float>({2, 3}, F(6)))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("inner dimensions differ"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
