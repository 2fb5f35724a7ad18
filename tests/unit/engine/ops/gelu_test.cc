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

// Values from the ONNX reference implementation.
TEST(EngineGeluTest, Exact) {
  Tensor y = OpCase("Gelu", 20).input(Tensor::from_vector<float>({3}, F{-1, 0, 1})).run_one();
  expect_float_tensor(y, {3}, {-0.15865526f, 0.0f, 0.8413447f});
}

TEST(EngineGeluTest, Tanh) {
  Tensor y = OpCase("Gelu", 20)
                 .input(Tensor::from_vector<float>({3}, F{-1, 0, 1}))
                 .attr("approximate", std::string("tanh"))
                 .run_one();
  expect_float_tensor(y, {3}, {-0.15880801f, 0.0f, 0.841192f});
}

TEST(EngineGeluTest, BadApproximateFailsAtLoad) {
  auto r = OpCase("Gelu", 20)
               .input(Tensor::from_vector<float>({1}, F{1}))
               .attr("approximate", std::string("erf"))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("approximate"), std::string::npos);
}

TEST(EngineGeluTest, NotBeforeOpset20) {
  EXPECT_FALSE(OpCase("Gelu", 19).input(Tensor::from_vector<float>({1}, F{1})).run().ok());
}

TEST(EngineGeluTest, Int64Fails) {
  EXPECT_FALSE(OpCase("Gelu", 20).input(Tensor::from_vector<int64_t>({1}, I{1})).run().ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
