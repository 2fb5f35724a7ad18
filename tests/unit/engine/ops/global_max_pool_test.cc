#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;

TEST(EngineGlobalMaxPoolTest, Basic) {
  Tensor y = OpCase("GlobalMaxPool")
                 .input(Tensor::from_vector<float>({1, 2, 2, 2}, F{1, 8, 3, 4, -5, -6, -7, -9}))
                 .run_one();
  expect_float_tensor(y, {1, 2, 1, 1}, {8, -5});
}

TEST(EngineGlobalMaxPoolTest, Errors) {
  auto r = OpCase("GlobalMaxPool")
               .input(Tensor::from_vector<int64_t>({1, 1, 2}, std::vector<int64_t>{1, 2}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("int64"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
