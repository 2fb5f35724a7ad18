#include <gtest/gtest.h>

#include "engine/opt/fusion_test_util.h"
#include "engine/opt/pass.h"

namespace modelhost::engine {
namespace {

using testing::expect_same_with_passes;
using testing::ModelBuilder;
using testing::random_tensor;

// The layer norm over the last axis as exporters targeting opset < 17 write it.
ModelBuilder layer_norm(int64_t opset, bool square_by_mul, std::vector<int64_t> axes = {-1}) {
  ModelBuilder b(opset);
  b.input("x", DataType::kFloat32, {2, 3, 16});
  b.output("y", DataType::kFloat32, {2, 3, 16});
  b.initializer("gamma", random_tensor({16}, 61, 0.5f, 1.5f));
  b.initializer("beta", random_tensor({16}, 62));
  b.initializer("two", Tensor::from_vector<float>({}, {2.f}));
  b.initializer("eps", Tensor::from_vector<float>({}, {1e-5f}));
  auto reduce = [&](const std::string& in, const std::string& out) {
    if (opset >= 18) {
      b.initializer(out + "_axes", Tensor::from_vector<int64_t>({static_cast<int64_t>(axes.size())}, axes));
      b.node("ReduceMean", {in, out + "_axes"}, {out});
    } else {
      testing::set_attr(b.node("ReduceMean", {in}, {out}), "axes", axes);
    }
  };
  reduce("x", "mean");
  b.node("Sub", {"x", "mean"}, {"d"});
  if (square_by_mul) {
    b.node("Mul", {"d", "d"}, {"sq"});
  } else {
    b.node("Pow", {"d", "two"}, {"sq"});
  }
  reduce("sq", "var");
  b.node("Add", {"var", "eps"}, {"ve"});
  b.node("Sqrt", {"ve"}, {"sd"});
  b.node("Div", {"d", "sd"}, {"n"});
  b.node("Mul", {"n", "gamma"}, {"g"});
  b.node("Add", {"g", "beta"}, {"y"});
  return b;
}

TEST(EngineLayerNormFusionTest, FusesAtOpsetsWithAxesAsAttributeAndAsInput) {
  for (int64_t opset : {13, 18}) {
    for (bool by_mul : {false, true}) {
      auto ops = expect_same_with_passes(layer_norm(opset, by_mul), {random_tensor({2, 3, 16}, 63)},
                                         1e-5f);
      EXPECT_EQ(ops["LayerNormalization"], 1) << opset << " " << by_mul;
      EXPECT_EQ(ops.size(), 1u) << opset << " " << by_mul;
    }
  }
}

TEST(EngineLayerNormFusionTest, LeavesANormOverOtherAxes) {
  auto ops = expect_same_with_passes(layer_norm(13, false, {1}), {random_tensor({2, 3, 16}, 64)});
  EXPECT_EQ(ops.count("LayerNormalization"), 0u);
  EXPECT_EQ(ops["ReduceMean"], 2);
}

}  // namespace
}  // namespace modelhost::engine
