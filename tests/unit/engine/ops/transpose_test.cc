#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineTransposeTest, DefaultReversesDims) {
  Tensor y =
      OpCase("Transpose").input(Tensor::from_vector<float>({2, 3}, F{1, 2, 3, 4, 5, 6})).run_one();
  expect_float_tensor(y, {3, 2}, {1, 4, 2, 5, 3, 6});
  // [2,1,3] reversed -> [3,1,2]
  Tensor z = OpCase("Transpose")
                 .input(Tensor::from_vector<int64_t>({2, 1, 3}, I{1, 2, 3, 4, 5, 6}))
                 .run_one();
  expect_int64_tensor(z, {3, 1, 2}, {1, 4, 2, 5, 3, 6});
}

TEST(EngineTransposeTest, Perm) {
  // x[i][j][k] = 100i + 10j + k over [2,2,3]; perm (1,2,0) -> y[j][k][i].
  std::vector<float> x;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 3; ++k) x.push_back(100.0f * i + 10.0f * j + k);
  Tensor y = OpCase("Transpose")
                 .attr("perm", I{1, 2, 0})
                 .input(Tensor::from_vector<float>({2, 2, 3}, x))
                 .run_one();
  std::vector<float> want;
  for (int j = 0; j < 2; ++j)
    for (int k = 0; k < 3; ++k)
      for (int i = 0; i < 2; ++i) want.push_back(100.0f * i + 10.0f * j + k);
  expect_float_tensor(y, {2, 3, 2}, want);
}

TEST(EngineTransposeTest, InvalidPermFailsAtLoad) {
  auto r = OpCase("Transpose")
               .attr("perm", I{0, 0})
               .input(Tensor::from_vector<float>({2, 2}, F(4)))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("perm is not a permutation"), std::string::npos);
  auto rank = OpCase("Transpose")
                  .attr("perm", I{1, 0})
                  .input(Tensor::from_vector<float>({2, 2, 2}, F(8)))
                  .run();
  EXPECT_FALSE(rank.ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
