// float32 Max/AveragePool over 1-D and 2-D planes take the separable path of cpu/pool_util.h;
// float64 always takes the general window loop. The same values in both types must pool to the
// same results across pads, strides, ceil_mode, auto_pad and count_include_pad.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using I = std::vector<int64_t>;

struct PoolCase {
  const char* op;
  Shape x;
  I kernel, strides, pads;
  int64_t ceil_mode = 0, count_include_pad = 0;
  std::string auto_pad;
};

Tensor pool(const PoolCase& c, const Tensor& x) {
  OpCase op(c.op, 19);
  op.input(x).attr("kernel_shape", c.kernel).attr("strides", c.strides);
  if (c.auto_pad.empty()) {
    op.attr("pads", c.pads);
  } else {
    op.attr("auto_pad", c.auto_pad);
  }
  op.attr("ceil_mode", c.ceil_mode);
  if (std::string(c.op) == "AveragePool") op.attr("count_include_pad", c.count_include_pad);
  return op.run_one();
}

TEST(EnginePoolFastPathTest, Float32MatchesTheGeneralLoopOfFloat64) {
  const std::vector<PoolCase> cases = {
      {"MaxPool", {1, 4, 13, 12}, {3, 3}, {2, 2}, {1, 1, 1, 1}},  // ResNet's stem pool
      {"MaxPool", {2, 3, 7, 9}, {2, 3}, {1, 2}, {0, 1, 1, 0}, 1},
      {"MaxPool", {1, 2, 5, 5}, {3, 3}, {2, 2}, {}, 1, 0, "SAME_UPPER"},
      {"MaxPool", {1, 2, 11}, {4}, {3}, {2, 1}, 1},  // 1-D
      {"AveragePool", {1, 3, 9, 8}, {3, 3}, {2, 2}, {1, 1, 1, 1}, 0, 0},
      {"AveragePool", {1, 3, 9, 8}, {3, 3}, {2, 2}, {1, 1, 1, 1}, 1, 1},
      {"AveragePool", {2, 2, 6, 7}, {2, 4}, {3, 1}, {1, 2, 0, 2}, 1, 1},
      {"AveragePool", {1, 2, 5, 6}, {3, 2}, {2, 2}, {}, 0, 1, "SAME_LOWER"},
      {"AveragePool", {1, 1, 10}, {3}, {2}, {1, 1}, 1, 0},  // 1-D
  };
  uint32_t seed = 7;
  for (const PoolCase& c : cases) {
    Tensor xf = Tensor::allocate(DataType::kFloat32, c.x);
    Tensor xd = Tensor::allocate(DataType::kFloat64, c.x);
    std::mt19937 rng(++seed);
    std::uniform_real_distribution<float> dist(-5.f, 5.f);
    for (int64_t i = 0; i < xf.num_elements(); ++i) {
      xf.mutable_data<float>()[i] = dist(rng);
      xd.mutable_data<double>()[i] = xf.data<float>()[i];
    }
    Tensor yf = pool(c, xf);
    Tensor yd = pool(c, xd);
    const std::string what = std::string(c.op) + " " + shape_to_string(c.x) + " kernel " +
                             shape_to_string(c.kernel) + " ceil " + std::to_string(c.ceil_mode) +
                             " include_pad " + std::to_string(c.count_include_pad) + " " +
                             c.auto_pad;
    ASSERT_EQ(yf.shape(), yd.shape()) << what;
    for (int64_t i = 0; i < yf.num_elements(); ++i) {
      ASSERT_NEAR(yf.data<float>()[i], yd.data<double>()[i], 1e-5) << what << " at " << i;
    }
  }
}

}  // namespace
}  // namespace modelhost::engine::testing
