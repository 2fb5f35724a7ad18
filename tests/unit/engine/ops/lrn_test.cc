#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;

TEST(EngineLrnTest, AcrossChannels) {
  // size 3: channel c sums squares over [c-1, c+1]; y = x / (1 + 0.1/3 * sum)^0.5.
  Tensor y = OpCase("LRN")
                 .input(Tensor::from_vector<float>({1, 6, 1, 1}, F{1, 2, 3, 4, 5, 6}))
                 .attr("size", int64_t{3})
                 .attr("alpha", 0.1f)
                 .attr("beta", 0.5f)
                 .attr("bias", 1.0f)
                 .run_one();
  const auto v = y.to_vector<float>();
  ASSERT_EQ(v.size(), 6u);
  EXPECT_NEAR(v[0], 0.925820f, 1e-5f);
  EXPECT_NEAR(v[1], 1.651446f, 1e-5f);
  EXPECT_NEAR(v[2], 2.139222f, 1e-5f);
  EXPECT_NEAR(v[5], 3.445016f, 1e-5f);
}

TEST(EngineLrnTest, SizeRequired) {
  auto r = OpCase("LRN").input(Tensor::from_vector<float>({1, 1, 1, 1}, F{1})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("size"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
