#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineSigmoidTest, Values) {
  Tensor y = OpCase("Sigmoid").input(Tensor::from_vector<float>({4}, F{0, 2, -2, -100})).run_one();
  expect_float_tensor(y, {4}, {0.5f, 0.8807971f, 0.1192029f, 0.0f});
}

TEST(EngineSigmoidTest, RejectsInt64) {
  auto r = OpCase("Sigmoid").input(Tensor::from_vector<int64_t>({1}, I{1})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace modelhost::engine::testing
