#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineHannWindowTest, PeriodicByDefault) {
  Tensor y = OpCase("HannWindow", 17).input(Tensor::from_vector<int64_t>({}, I{4})).run_one();
  expect_float_tensor(y, {4}, {0.0f, 0.5f, 1.0f, 0.5f});
}

TEST(EngineHannWindowTest, SymmetricAsFloat64) {
  Tensor y = OpCase("HannWindow", 17)
                 .input(Tensor::from_vector<int32_t>({}, {4}))
                 .attr("periodic", int64_t{0})
                 .attr("output_datatype", int64_t{11})
                 .run_one();
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  const std::vector<float> expected = {0.0f, 0.75f, 0.75f, 0.0f};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(y.data<double>()[i], expected[i], 1e-6);
}

TEST(EngineHannWindowTest, NegativeSizeIsAnError) {
  auto r = OpCase("HannWindow", 17).input(Tensor::from_vector<int64_t>({}, I{-1})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("size must be >= 0"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
