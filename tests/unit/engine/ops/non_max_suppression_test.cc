#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

// The ONNX suppress-by-IoU example: six boxes in two clusters plus one far away.
const Tensor kBoxes =
    Tensor::from_vector<float>({1, 6, 4}, F{0, 0,  1, 1,  0, 0.1f,  1, 1.1f,  0, -0.1f, 1, 0.9f,
                                            0, 10, 1, 11, 0, 10.1f, 1, 11.1f, 0, 100,   1, 101});
const Tensor kScores =
    Tensor::from_vector<float>({1, 1, 6}, F{0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f});

TEST(EngineNonMaxSuppressionTest, SuppressByIou) {
  Tensor y = OpCase("NonMaxSuppression", 11)
                 .input(kBoxes)
                 .input(kScores)
                 .weight(Tensor::from_vector<int64_t>({1}, I{3}))
                 .weight(Tensor::from_vector<float>({1}, F{0.5f}))
                 .weight(Tensor::from_vector<float>({1}, F{0.0f}))
                 .run_one();
  expect_int64_tensor(y, {3, 3}, {0, 0, 3, 0, 0, 0, 0, 0, 5});
}

TEST(EngineNonMaxSuppressionTest, ScoreThresholdAndCenterPoint) {
  Tensor y = OpCase("NonMaxSuppression", 11)
                 .input(kBoxes)
                 .input(kScores)
                 .weight(Tensor::from_vector<int64_t>({1}, I{3}))
                 .weight(Tensor::from_vector<float>({1}, F{0.5f}))
                 .weight(Tensor::from_vector<float>({1}, F{0.4f}))
                 .run_one();
  expect_int64_tensor(y, {2, 3}, {0, 0, 3, 0, 0, 0});
  const Tensor centers = Tensor::from_vector<float>(
      {1, 6, 4}, F{0.5f, 0.5f,  1, 1, 0.5f, 0.6f,  1, 1, 0.5f, 0.4f,   1, 1,
                   0.5f, 10.5f, 1, 1, 0.5f, 10.6f, 1, 1, 0.5f, 100.5f, 1, 1});
  Tensor z = OpCase("NonMaxSuppression", 11)
                 .input(centers)
                 .input(kScores)
                 .weight(Tensor::from_vector<int64_t>({1}, I{3}))
                 .weight(Tensor::from_vector<float>({1}, F{0.5f}))
                 .attr("center_point_box", int64_t{1})
                 .run_one();
  expect_int64_tensor(z, {3, 3}, {0, 0, 3, 0, 0, 0, 0, 0, 5});
  // No max_output_boxes_per_class: nothing selected.
  Tensor none = OpCase("NonMaxSuppression", 11).input(kBoxes).input(kScores).run_one();
  EXPECT_EQ(none.shape(), (Shape{0, 3}));
}

TEST(EngineNonMaxSuppressionTest, Errors) {
  auto r = OpCase("NonMaxSuppression", 11)
               .input(kBoxes)
               .input(Tensor::from_vector<float>({1, 1, 5}, F(5, 0.5f)))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("boxes must be"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
