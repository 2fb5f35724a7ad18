// The cases every ordering comparison op (Greater, Less, GreaterOrEqual, LessOrEqual) must pass;
// each op's test file states only its expected truth values.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {

struct ComparisonExpectations {
  // a = [1, 2, 3] against b = [2, 2, 2], for float32, int32 and float64.
  std::vector<bool> elementwise;
  // [2,1] {1, 3} against [3] {1, 2, 3} -> [2,3].
  std::vector<bool> broadcast;
};

inline void check_comparison_op(const std::string& op, int64_t opset,
                                const ComparisonExpectations& want) {
  SCOPED_TRACE(op);
  Tensor f = OpCase(op, opset)
                 .input(Tensor::from_vector<float>({3}, {1, 2, 3}))
                 .input(Tensor::from_vector<float>({3}, {2, 2, 2}))
                 .run_one();
  ASSERT_EQ(f.dtype(), DataType::kBool);
  EXPECT_EQ(f.to_vector<bool>(), want.elementwise);
  Tensor i = OpCase(op, opset)
                 .input(Tensor::from_vector<int32_t>({3}, {1, 2, 3}))
                 .input(Tensor::from_vector<int32_t>({3}, {2, 2, 2}))
                 .run_one();
  EXPECT_EQ(i.to_vector<bool>(), want.elementwise);
  Tensor d = OpCase(op, opset)
                 .input(Tensor::from_vector<double>({3}, {1, 2, 3}))
                 .input(Tensor::from_vector<double>({3}, {2, 2, 2}))
                 .run_one();
  EXPECT_EQ(d.to_vector<bool>(), want.elementwise);

  Tensor b = OpCase(op, opset)
                 .input(Tensor::from_vector<int64_t>({2, 1}, {1, 3}))
                 .input(Tensor::from_vector<int64_t>({3}, {1, 2, 3}))
                 .run_one();
  ASSERT_EQ(b.shape(), (Shape{2, 3}));
  EXPECT_EQ(b.to_vector<bool>(), want.broadcast);

  auto mixed = OpCase(op, opset)
                   .input(Tensor::from_vector<float>({1}, {1}))
                   .input(Tensor::from_vector<int64_t>({1}, {1}))
                   .run();
  EXPECT_FALSE(mixed.ok());
  auto boolean = OpCase(op, opset)
                     .input(Tensor::from_vector<bool>({1}, {true}))
                     .input(Tensor::from_vector<bool>({1}, {false}))
                     .run();
  ASSERT_FALSE(boolean.ok());
  EXPECT_NE(boolean.status().message().find("has dtype bool"), std::string::npos);
}

}  // namespace modelhost::engine::testing
