#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineStftTest, FramesWithoutWindow) {
  // Frames [1, 2] and [3, 4]; onesided: 2 / 2 + 1 = 2 bins (sum, difference).
  Tensor y = OpCase("STFT", 17)
                 .input(Tensor::from_vector<float>({1, 4, 1}, F{1, 2, 3, 4}))
                 .input(Tensor::from_vector<int64_t>({}, I{2}))
                 .omitted()
                 .input(Tensor::from_vector<int64_t>({}, I{2}))
                 .run_one();
  expect_float_tensor(y, {1, 2, 2, 2}, {3, 0, -1, 0, 7, 0, -1, 0});
}

TEST(EngineStftTest, WindowSetsTheFrameLength) {
  // Window [1, 0]: every frame keeps its first sample only; step 1 gives 3 frames.
  Tensor y = OpCase("STFT", 17)
                 .input(Tensor::from_vector<float>({1, 4, 1}, F{1, 2, 3, 4}))
                 .input(Tensor::from_vector<int64_t>({}, I{1}))
                 .input(Tensor::from_vector<float>({2}, F{1, 0}))
                 .attr("onesided", int64_t{0})
                 .run_one();
  expect_float_tensor(y, {1, 3, 2, 2}, {1, 0, 1, 0, 2, 0, 2, 0, 3, 0, 3, 0});
}

TEST(EngineStftTest, FrameLongerThanSignalIsAnError) {
  auto r = OpCase("STFT", 17)
               .input(Tensor::from_vector<float>({1, 4, 1}, F{1, 2, 3, 4}))
               .input(Tensor::from_vector<int64_t>({}, I{1}))
               .omitted()
               .input(Tensor::from_vector<int64_t>({}, I{8}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("frame_length (8)"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
