// The cases every binary logic op (And, Or, Xor) must pass; each op's test file states only its
// expected truth values.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {

struct LogicExpectations {
  // a = [T, T, F, F] against b = [T, F, T, F].
  std::vector<bool> truth_table;
  // [2,1] {T, F} against [2] {T, F} -> [2,2].
  std::vector<bool> broadcast;
};

inline void check_logic_op(const std::string& op, const LogicExpectations& want) {
  SCOPED_TRACE(op);
  Tensor y = OpCase(op)
                 .input(Tensor::from_vector<bool>({4}, {true, true, false, false}))
                 .input(Tensor::from_vector<bool>({4}, {true, false, true, false}))
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kBool);
  EXPECT_EQ(y.to_vector<bool>(), want.truth_table);

  Tensor b = OpCase(op)
                 .input(Tensor::from_vector<bool>({2, 1}, {true, false}))
                 .input(Tensor::from_vector<bool>({2}, {true, false}))
                 .run_one();
  ASSERT_EQ(b.shape(), (Shape{2, 2}));
  EXPECT_EQ(b.to_vector<bool>(), want.broadcast);

  auto r = OpCase(op)
               .input(Tensor::from_vector<float>({1}, {1}))
               .input(Tensor::from_vector<float>({1}, {0}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype float32"), std::string::npos);
}

}  // namespace modelhost::engine::testing
