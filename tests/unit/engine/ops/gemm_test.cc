#include <gtest/gtest.h>

#include <random>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

// A = [[1,2],[3,4]], B = [[5,6],[7,8]]: A*B = [[19,22],[43,50]].
Tensor mat_a() { return Tensor::from_vector<float>({2, 2}, F{1, 2, 3, 4}); }
Tensor mat_b() { return Tensor::from_vector<float>({2, 2}, F{5, 6, 7, 8}); }

TEST(EngineGemmTest, Plain) {
  Tensor y = OpCase("Gemm").input(mat_a()).weight(mat_b()).run_one();
  expect_float_tensor(y, {2, 2}, {19, 22, 43, 50});
}

TEST(EngineGemmTest, AlphaBetaAndRowBias) {
  // 2*A*B + 0.5*[10,20]
  Tensor y = OpCase("Gemm")
                 .attr("alpha", 2.0f)
                 .attr("beta", 0.5f)
                 .input(mat_a())
                 .weight(mat_b())
                 .weight(Tensor::from_vector<float>({2}, F{10, 20}))
                 .run_one();
  expect_float_tensor(y, {2, 2}, {43, 54, 91, 110});
}

TEST(EngineGemmTest, ColumnAndScalarBias) {
  Tensor col = OpCase("Gemm")
                   .input(mat_a())
                   .weight(mat_b())
                   .weight(Tensor::from_vector<float>({2, 1}, F{1, 2}))
                   .run_one();
  expect_float_tensor(col, {2, 2}, {20, 23, 45, 52});
  Tensor scalar = OpCase("Gemm")
                      .input(mat_a())
                      .weight(mat_b())
                      .weight(Tensor::from_vector<float>({}, F{1}))
                      .run_one();
  expect_float_tensor(scalar, {2, 2}, {20, 23, 44, 51});
}

TEST(EngineGemmTest, Transposes) {
  // A^T = [[1,3],[2,4]], B^T = [[5,7],[6,8]]
  Tensor ta = OpCase("Gemm").attr("transA", int64_t{1}).input(mat_a()).weight(mat_b()).run_one();
  expect_float_tensor(ta, {2, 2}, {26, 30, 38, 44});
  Tensor tb = OpCase("Gemm").attr("transB", int64_t{1}).input(mat_a()).weight(mat_b()).run_one();
  expect_float_tensor(tb, {2, 2}, {17, 23, 39, 53});
  Tensor both = OpCase("Gemm")
                    .attr("transA", int64_t{1})
                    .attr("transB", int64_t{1})
                    .input(mat_a())
                    .weight(mat_b())
                    .run_one();
  expect_float_tensor(both, {2, 2}, {23, 31, 34, 46});
}

TEST(EngineGemmTest, NonSquareTransB) {
  // [1,3] x [2,3]^T -> [1,2]: the batch-1 fully connected layer.
  Tensor y = OpCase("Gemm")
                 .attr("transB", int64_t{1})
                 .input(Tensor::from_vector<float>({1, 3}, F{1, 2, 3}))
                 .weight(Tensor::from_vector<float>({2, 3}, F{1, 0, 1, 0, 1, 0}))
                 .weight(Tensor::from_vector<float>({2}, F{0.5f, -0.5f}))
                 .run_one();
  expect_float_tensor(y, {1, 2}, {4.5f, 1.5f});
}

// Large enough to cross every block boundary, with leftover rows and columns; compared with a
// naive triple loop. Also covers the few-rows path (m = 3).
TEST(EngineGemmTest, MatchesNaiveOnLargeShapesWithThreads) {
  for (int64_t m : {3, 70}) {
    for (int64_t trans_a : {0, 1}) {
      for (int64_t trans_b : {0, 1}) {
        const int64_t k = 300, n = 530;
        std::mt19937 rng(42);
        std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
        std::vector<float> a(m * k), b(k * n), c(n);
        for (auto& v : a) v = dist(rng);
        for (auto& v : b) v = dist(rng);
        for (auto& v : c) v = dist(rng);
        Shape a_shape = trans_a ? Shape{k, m} : Shape{m, k};
        Shape b_shape = trans_b ? Shape{n, k} : Shape{k, n};
        Tensor y = OpCase("Gemm")
                       .threads(4)
                       .attr("transA", trans_a)
                       .attr("transB", trans_b)
                       .attr("alpha", 0.5f)
                       .input(Tensor::from_vector<float>(a_shape, a))
                       .weight(Tensor::from_vector<float>(b_shape, b))
                       .weight(Tensor::from_vector<float>({n}, c))
                       .run_one();
        ASSERT_EQ(y.shape(), (Shape{m, n}));
        for (int64_t i = 0; i < m; ++i) {
          for (int64_t j = 0; j < n; ++j) {
            double sum = 0;
            for (int64_t p = 0; p < k; ++p) {
              const float av = trans_a ? a[p * m + i] : a[i * k + p];
              const float bv = trans_b ? b[j * k + p] : b[p * n + j];
              sum += static_cast<double>(av) * bv;
            }
            const double want = 0.5 * sum + c[j];
            ASSERT_NEAR(y.data<float>()[i * n + j], want, 1e-3)
                << "m=" << m << " transA=" << trans_a << " transB=" << trans_b << " at " << i << ","
                << j;
          }
        }
      }
    }
  }
}

TEST(EngineGemmTest, InnerDimMismatchIsARunError) {
  auto r = OpCase("Gemm").input(Tensor::from_vector<float>({2, 3}, F(6))).weight(mat_b()).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("inner dimensions differ"), std::string::npos);
}

TEST(EngineGemmTest, BadAttributesFailAtLoad) {
  auto r = OpCase("Gemm").attr("transA", int64_t{2}).input(mat_a()).weight(mat_b()).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("node \"op\" (op Gemm, domain \"\", opset 13): transA"),
            std::string::npos)
      << r.status().message();
  auto unknown = OpCase("Gemm").attr("broadcast", int64_t{1}).input(mat_a()).weight(mat_b()).run();
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("\"broadcast\" is not supported"), std::string::npos);
  auto wrong_type = OpCase("Gemm").attr("alpha", int64_t{1}).input(mat_a()).weight(mat_b()).run();
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_NE(wrong_type.status().message().find("\"alpha\" must be of type float"),
            std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
