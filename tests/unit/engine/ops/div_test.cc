#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineDivTest, Float) {
  Tensor y = OpCase("Div")
                 .input(Tensor::from_vector<float>({2, 2}, F{1, 2, 3, 4}))
                 .input(Tensor::from_vector<float>({2}, F{2, 4}))
                 .run_one();
  expect_float_tensor(y, {2, 2}, {0.5f, 0.5f, 1.5f, 1.0f});
}

TEST(EngineDivTest, Int64TruncatesTowardZero) {
  Tensor y = OpCase("Div")
                 .input(Tensor::from_vector<int64_t>({3}, I{7, -7, 9}))
                 .input(Tensor::from_vector<int64_t>({3}, I{2, 2, -3}))
                 .run_one();
  expect_int64_tensor(y, {3}, {3, -3, -3});
}

TEST(EngineDivTest, Int64DivisionByZeroIsAnError) {
  auto r = OpCase("Div")
               .input(Tensor::from_vector<int64_t>({2}, I{1, 2}))
               .input(Tensor::from_vector<int64_t>({2}, I{1, 0}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("division by zero"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
