// The cases every variadic elementwise op (Max, Min, Sum, Mean) must pass; each op's test file
// states only its expected values.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {

struct VariadicExpectations {
  // a = [3, 2, 1], b = [1, 4, 4], c = [2, 5, 0]
  std::vector<float> three_inputs;
  // [2,1] {1, 4} with [3] {2, 3, 6} -> [2,3]
  std::vector<float> broadcast;
  // int64 [3, 2, 1] with [1, 4, 4]
  std::vector<int64_t> int64;
  // float64 [3, 2, 1] with the scalar 2
  std::vector<double> float64;
};

inline void check_variadic_op(const std::string& op, const VariadicExpectations& want) {
  SCOPED_TRACE(op);
  using F = std::vector<float>;
  using D = std::vector<double>;
  using I = std::vector<int64_t>;
  Tensor y = OpCase(op)
                 .input(Tensor::from_vector<float>({3}, F{3, 2, 1}))
                 .input(Tensor::from_vector<float>({3}, F{1, 4, 4}))
                 .input(Tensor::from_vector<float>({3}, F{2, 5, 0}))
                 .run_one();
  expect_float_tensor(y, {3}, want.three_inputs);

  // One input is returned as it is.
  Tensor one = OpCase(op).input(Tensor::from_vector<float>({3}, F{3, 2, 1})).run_one();
  expect_float_tensor(one, {3}, {3, 2, 1});

  Tensor b = OpCase(op)
                 .input(Tensor::from_vector<float>({2, 1}, F{1, 4}))
                 .input(Tensor::from_vector<float>({3}, F{2, 3, 6}))
                 .run_one();
  expect_float_tensor(b, {2, 3}, want.broadcast);

  Tensor i = OpCase(op)
                 .input(Tensor::from_vector<int64_t>({3}, I{3, 2, 1}))
                 .input(Tensor::from_vector<int64_t>({3}, I{1, 4, 4}))
                 .run_one();
  expect_int64_tensor(i, {3}, want.int64);
  Tensor d = OpCase(op)
                 .input(Tensor::from_vector<double>({3}, D{3, 2, 1}))
                 .input(Tensor::from_vector<double>({}, D{2}))
                 .run_one();
  ASSERT_EQ(d.dtype(), DataType::kFloat64);
  EXPECT_EQ(d.to_vector<double>(), want.float64);

  auto r = OpCase(op).input(Tensor::from_vector<bool>({1}, std::vector<bool>{true})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype bool"), std::string::npos);
  EXPECT_FALSE(OpCase(op)
                   .input(Tensor::from_vector<float>({1}, F{1}))
                   .input(Tensor::from_vector<double>({1}, D{1}))
                   .run()
                   .ok());
}

}  // namespace modelhost::engine::testing
