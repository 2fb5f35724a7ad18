#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using D = std::vector<double>;
using I = std::vector<int64_t>;
using B = std::vector<bool>;

const F kValues{-INFINITY, 0, INFINITY, NAN, 5};

TEST(EngineIsInfTest, Default) {
  Tensor y = OpCase("IsInf").input(Tensor::from_vector<float>({5}, kValues)).run_one();
  ASSERT_EQ(y.dtype(), DataType::kBool);
  EXPECT_EQ(y.to_vector<bool>(), (B{true, false, true, false, false}));
}

TEST(EngineIsInfTest, DetectAttributes) {
  Tensor pos = OpCase("IsInf")
                   .input(Tensor::from_vector<float>({5}, kValues))
                   .attr("detect_negative", int64_t{0})
                   .run_one();
  EXPECT_EQ(pos.to_vector<bool>(), (B{false, false, true, false, false}));
  Tensor neg = OpCase("IsInf")
                   .input(Tensor::from_vector<double>({5}, D(kValues.begin(), kValues.end())))
                   .attr("detect_positive", int64_t{0})
                   .run_one();
  EXPECT_EQ(neg.to_vector<bool>(), (B{true, false, false, false, false}));
}

TEST(EngineIsInfTest, Int64Fails) {
  EXPECT_FALSE(OpCase("IsInf").input(Tensor::from_vector<int64_t>({1}, I{1})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
