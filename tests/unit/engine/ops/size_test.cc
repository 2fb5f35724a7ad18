#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineSizeTest, CountsElements) {
  expect_int64_tensor(OpCase("Size").input(Tensor::from_vector<uint8_t>({2, 3, 4}, {})).run_one(),
                      {}, {24});
  expect_int64_tensor(OpCase("Size").input(Tensor::from_vector<float>({3, 0}, {})).run_one(), {},
                      {0});
  expect_int64_tensor(OpCase("Size", 21).input(Tensor::from_vector<float>({}, F{7})).run_one(), {},
                      {1});
}

TEST(EngineSizeTest, RejectsExtraInputs) {
  Tensor x = Tensor::from_vector<float>({1}, F{1});
  EXPECT_FALSE(OpCase("Size").input(x).input(x).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
