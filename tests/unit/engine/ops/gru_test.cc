#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;

// Reverse, batch-major (layout 1), clip 0.5; expected values from ONNX Runtime (run there in
// layout 0 on the transposed input).
OpCase reverse_batchwise_case(int64_t linear_before_reset) {
  OpCase c("GRU", 14);
  c.input(Tensor::from_vector<float>({2, 3, 2}, F{0.64f, 0.25f, 0.92f, -0.26f, 0.11f, 0.19f, 0.7f,
                                                  -0.71f, -0.19f, 0.82f, -0.91f, 0.65f}))
      .weight(Tensor::from_vector<float>({1, 6, 2}, F{-0.17f, 0.66f, -0.98f, -0.27f, -0.84f, 0.31f,
                                                      -0.45f, 0.41f, 0.89f, -0.75f, 0.73f, -0.88f}))
      .weight(Tensor::from_vector<float>({1, 6, 2}, F{-0.24f, -0.14f, -0.02f, 0.95f, 0.55f, -0.38f,
                                                      -0.46f, 0.73f, 0.76f, 0.02f, -0.31f, 0.99f}))
      .weight(Tensor::from_vector<float>({1, 12}, F{-0.37f, -0.63f, 0.76f, 0.62f, 0.34f, 0.92f,
                                                    0.85f, 0.5f, 0.72f, -0.51f, -0.72f, 0.34f}))
      .attr("hidden_size", int64_t{2})
      .attr("direction", std::string("reverse"))
      .attr("layout", int64_t{1})
      .attr("clip", 0.5f)
      .attr("linear_before_reset", linear_before_reset)
      .outputs(2);
  return c;
}

TEST(EngineGruTest, ReverseBatchwiseClipped) {
  auto r = reverse_batchwise_case(0).run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  expect_float_tensor((*r)[0], {2, 3, 1, 2},
                      {0.107504f, 0.433193f, 0.132237f, 0.387406f, -0.151318f, 0.264227f, 0.10281f,
                       0.367676f, -0.283067f, 0.226266f, -0.174468f, 0.00894604f});
  expect_float_tensor((*r)[1], {2, 1, 2}, {0.107504f, 0.433193f, 0.10281f, 0.367676f});
}

TEST(EngineGruTest, LinearBeforeReset) {
  auto r = reverse_batchwise_case(1).run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  expect_float_tensor((*r)[0], {2, 3, 1, 2},
                      {0.250602f, 0.433212f, 0.18575f, 0.387406f, -0.0572326f, 0.264227f, 0.10037f,
                       0.337154f, -0.283067f, 0.132637f, -0.174468f, -0.0393712f});
  expect_float_tensor((*r)[1], {2, 1, 2}, {0.250602f, 0.433212f, 0.10037f, 0.337154f});
}

TEST(EngineGruTest, Errors) {
  auto bad_b = OpCase("GRU", 14)
                   .input(Tensor::from_vector<float>({1, 1, 1}, F{1}))
                   .weight(Tensor::from_vector<float>({1, 3, 1}, F(3, 0.1f)))
                   .weight(Tensor::from_vector<float>({1, 3, 1}, F(3, 0.1f)))
                   .weight(Tensor::from_vector<float>({1, 3}, F(3, 0.1f)))
                   .attr("hidden_size", int64_t{1})
                   .run();
  ASSERT_FALSE(bad_b.ok());
  EXPECT_NE(bad_b.status().message().find("B must be [1,6]"), std::string::npos)
      << bad_b.status().message();
  auto bad_lens = OpCase("GRU", 14)
                      .input(Tensor::from_vector<float>({1, 1, 1}, F{1}))
                      .weight(Tensor::from_vector<float>({1, 3, 1}, F(3, 0.1f)))
                      .weight(Tensor::from_vector<float>({1, 3, 1}, F(3, 0.1f)))
                      .omitted()
                      .input(Tensor::from_vector<int32_t>({1}, {2}))
                      .attr("hidden_size", int64_t{1})
                      .run();
  ASSERT_FALSE(bad_lens.ok());
  EXPECT_NE(bad_lens.status().message().find("sequence_lens"), std::string::npos)
      << bad_lens.status().message();
  // layout arrived in opset 14.
  auto layout = OpCase("GRU", 13)
                    .input(Tensor::from_vector<float>({1, 1, 1}, F{1}))
                    .weight(Tensor::from_vector<float>({1, 3, 1}, F(3, 0.1f)))
                    .weight(Tensor::from_vector<float>({1, 3, 1}, F(3, 0.1f)))
                    .attr("hidden_size", int64_t{1})
                    .attr("layout", int64_t{1})
                    .run();
  ASSERT_FALSE(layout.ok());
}

}  // namespace
}  // namespace modelhost::engine::testing
