#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

OpCase mel(int64_t bins, int64_t dft, int64_t rate, float lo, float hi) {
  OpCase c("MelWeightMatrix", 17);
  c.input(Tensor::from_vector<int64_t>({}, I{bins}))
      .input(Tensor::from_vector<int64_t>({}, I{dft}))
      .input(Tensor::from_vector<int64_t>({}, I{rate}))
      .input(Tensor::from_vector<float>({}, F{lo}))
      .input(Tensor::from_vector<float>({}, F{hi}));
  return c;
}

TEST(EngineMelWeightMatrixTest, TriangularFilters) {
  Tensor y = mel(3, 16, 100, 0.0f, 50.0f).run_one();
  expect_float_tensor(y, {9, 3}, {0,    0, 0, 1, 0, 0, 0.5f, 0.5f, 0, 0, 1, 0, 0, 0.5f,
                                  0.5f, 0, 0, 1, 0, 0, 0,    0,    0, 0, 0, 0, 0});
}

TEST(EngineMelWeightMatrixTest, OutputDatatype) {
  Tensor y = mel(3, 16, 100, 0.0f, 50.0f).attr("output_datatype", int64_t{11}).run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  EXPECT_EQ(y.data<double>()[3], 1.0);
}

TEST(EngineMelWeightMatrixTest, UpperEdgeAboveNyquistIsAnError) {
  auto r = mel(3, 16, 100, 0.0f, 80.0f).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("upper_edge_hertz <= sample_rate / 2"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
