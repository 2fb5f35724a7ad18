#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineReverseSequenceTest, TimeMajorAndBatchMajor) {
  // [time=3, batch=2]
  Tensor y = OpCase("ReverseSequence", 10)
                 .input(Tensor::from_vector<float>({3, 2}, F{1, 2, 3, 4, 5, 6}))
                 .input(Tensor::from_vector<int64_t>({2}, I{3, 2}))
                 .run_one();
  expect_float_tensor(y, {3, 2}, {5, 4, 3, 2, 1, 6});
  Tensor z = OpCase("ReverseSequence", 10)
                 .attr("batch_axis", int64_t{0})
                 .attr("time_axis", int64_t{1})
                 .input(Tensor::from_vector<int64_t>({2, 3}, I{1, 2, 3, 4, 5, 6}))
                 .input(Tensor::from_vector<int64_t>({2}, I{1, 3}))
                 .run_one();
  expect_int64_tensor(z, {2, 3}, {1, 2, 3, 6, 5, 4});
}

TEST(EngineReverseSequenceTest, Errors) {
  Tensor x = Tensor::from_vector<float>({3, 2}, F(6));
  EXPECT_FALSE(OpCase("ReverseSequence", 10).input(x).input(Tensor::from_vector<int64_t>({2}, I{4, 1})).run().ok());
  EXPECT_FALSE(OpCase("ReverseSequence", 10).input(x).input(Tensor::from_vector<int64_t>({1}, I{1})).run().ok());
  EXPECT_FALSE(OpCase("ReverseSequence", 10).attr("batch_axis", int64_t{2}).input(x)
                   .input(Tensor::from_vector<int64_t>({2}, I{1, 1})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
