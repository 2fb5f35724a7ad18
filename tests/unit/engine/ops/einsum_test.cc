#include <gtest/gtest.h>

#include <numeric>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;

F iota(size_t n, float start = 0.0f) {
  F v(n);
  std::iota(v.begin(), v.end(), start);
  return v;
}

TEST(EngineEinsumTest, BatchMatmulWithSpaces) {
  Tensor y = OpCase("Einsum", 12)
                 .input(Tensor::from_vector<float>({2, 2, 3}, iota(12)))
                 .input(Tensor::from_vector<float>({2, 3, 1}, iota(6, 1)))
                 .attr("equation", std::string("bij, bjk -> bik"))
                 .run_one();
  // Batch 0: [0 1 2; 3 4 5] x [1 2 3]^T; batch 1: [6 7 8; 9 10 11] x [4 5 6]^T.
  expect_float_tensor(y, {2, 2, 1}, {8, 26, 107, 152});
}

TEST(EngineEinsumTest, DiagonalTransposeAndImplicitOutput) {
  expect_float_tensor(OpCase("Einsum", 12)
                          .input(Tensor::from_vector<float>({2, 2, 2}, iota(8)))
                          .attr("equation", std::string("...ii->...i"))
                          .run_one(),
                      {2, 2}, {0, 3, 4, 7});
  expect_float_tensor(OpCase("Einsum", 12)
                          .input(Tensor::from_vector<float>({2, 3}, iota(6)))
                          .attr("equation", std::string("ij->ji"))
                          .run_one(),
                      {3, 2}, {0, 3, 1, 4, 2, 5});
  // Implicit output: "ba" keeps b and a in alphabetical order, i.e. a transpose.
  expect_float_tensor(OpCase("Einsum", 12)
                          .input(Tensor::from_vector<float>({2, 3}, iota(6)))
                          .attr("equation", std::string("ba"))
                          .run_one(),
                      {3, 2}, {0, 3, 1, 4, 2, 5});
  // Trace and an inner product reduce to scalars.
  expect_float_tensor(OpCase("Einsum", 12)
                          .input(Tensor::from_vector<float>({2, 2}, iota(4)))
                          .attr("equation", std::string("ii"))
                          .run_one(),
                      {}, {3});
  expect_float_tensor(OpCase("Einsum", 12)
                          .input(Tensor::from_vector<float>({3}, F{1, 2, 3}))
                          .input(Tensor::from_vector<float>({3}, F{4, 5, 6}))
                          .attr("equation", std::string("i,i"))
                          .run_one(),
                      {}, {32});
}

TEST(EngineEinsumTest, ThreeOperandsAndBroadcastEllipsis) {
  // sum_j,k a_ij b_jk c_k
  Tensor y = OpCase("Einsum", 12)
                 .input(Tensor::from_vector<float>({2, 2}, F{1, 2, 3, 4}))
                 .input(Tensor::from_vector<float>({2, 2}, F{1, 0, 0, 1}))
                 .input(Tensor::from_vector<float>({2}, F{10, 1}))
                 .attr("equation", std::string("ij,jk,k->i"))
                 .run_one();
  expect_float_tensor(y, {2}, {12, 34});
  // The ellipsis of the first operand (size 1) broadcasts against the second's (size 2).
  Tensor z = OpCase("Einsum", 12)
                 .input(Tensor::from_vector<float>({1, 2}, F{1, 2}))
                 .input(Tensor::from_vector<float>({2, 2}, F{1, 1, 2, 2}))
                 .attr("equation", std::string("...i,...i->..."))
                 .run_one();
  expect_float_tensor(z, {2}, {3, 6});
}

TEST(EngineEinsumTest, Errors) {
  auto terms = OpCase("Einsum", 12)
                   .input(Tensor::from_vector<float>({2}, F{1, 2}))
                   .attr("equation", std::string("i,i->i"))
                   .run();
  ASSERT_FALSE(terms.ok());
  EXPECT_NE(terms.status().message().find("2 terms for 1 inputs"), std::string::npos)
      << terms.status().message();
  auto rank = OpCase("Einsum", 12)
                  .input(Tensor::from_vector<float>({2, 2}, F{1, 2, 3, 4}))
                  .attr("equation", std::string("i->i"))
                  .run();
  ASSERT_FALSE(rank.ok());
  EXPECT_NE(rank.status().message().find("rank 2"), std::string::npos) << rank.status().message();
  auto dims = OpCase("Einsum", 12)
                  .input(Tensor::from_vector<float>({2}, F{1, 2}))
                  .input(Tensor::from_vector<float>({3}, F{1, 2, 3}))
                  .attr("equation", std::string("i,i->"))
                  .run();
  ASSERT_FALSE(dims.ok());
  EXPECT_NE(dims.status().message().find("disagree"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
