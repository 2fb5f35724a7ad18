#include <gtest/gtest.h>

#include "engine/opt/pass.h"
#include "engine/opt/fusion_test_util.h"

namespace modelhost::engine {
namespace {

using testing::expect_same_with_passes;
using testing::ModelBuilder;
using testing::random_tensor;

ModelBuilder conv_bn(bool conv_bias, bool bn_output_is_used_twice = false) {
  ModelBuilder b(13);
  b.input("x", DataType::kFloat32, {1, 3, 6, 6});
  b.output("y", DataType::kFloat32, {1, 4, 6, 6});
  b.initializer("w", random_tensor({4, 3, 3, 3}, 1));
  std::vector<std::string> conv_in = {"x", "w"};
  if (conv_bias) {
    b.initializer("cb", random_tensor({4}, 2));
    conv_in.push_back("cb");
  }
  auto& conv = b.node("Conv", conv_in, {"c"});
  testing::set_attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
  b.initializer("scale", random_tensor({4}, 3, 0.5f, 2.f));
  b.initializer("beta", random_tensor({4}, 4));
  b.initializer("mean", random_tensor({4}, 5));
  b.initializer("var", random_tensor({4}, 6, 0.1f, 3.f));
  auto& bn = b.node("BatchNormalization", {"c", "scale", "beta", "mean", "var"}, {"y"});
  testing::set_attr(bn, "epsilon", 1e-3f);
  if (bn_output_is_used_twice) {
    b.output("c", DataType::kFloat32, {1, 4, 6, 6});
  }
  return b;
}

TEST(EngineConvBnFoldingTest, FoldsIntoConvWithAndWithoutBias) {
  for (bool bias : {false, true}) {
    auto ops = expect_same_with_passes(conv_bn(bias), {random_tensor({1, 3, 6, 6}, 7)});
    EXPECT_EQ(ops.count("BatchNormalization"), 0u) << "bias " << bias;
    EXPECT_EQ(ops["FusedConv"], 1) << "bias " << bias;  // the Conv, with packed weights
  }
}

TEST(EngineConvBnFoldingTest, KeepsBatchNormWhenTheConvOutputIsAlsoAGraphOutput) {
  auto ops = expect_same_with_passes(conv_bn(true, true), {random_tensor({1, 3, 6, 6}, 7)});
  EXPECT_EQ(ops["BatchNormalization"], 1);
}

TEST(EngineConvBnFoldingTest, LeavesASharedWeightUntouchedForItsOtherConv) {
  ir::Graph g;
  g.opsets[""] = 13;
  g.inputs.push_back({"x", DataType::kFloat32, {1, 1, 2, 2}, true});
  g.outputs.push_back({"y", DataType::kFloat32, {}, false});
  g.outputs.push_back({"z", DataType::kFloat32, {}, false});
  g.initializers["w"] = Tensor::from_vector<float>({1, 1, 1, 1}, {2.f});
  for (const char* p : {"s", "b", "m", "v"}) {
    g.initializers[p] = Tensor::from_vector<float>({1}, {std::string(p) == "v" ? 3.f : 1.f});
  }
  ir::Node c1{"c1", "Conv", "", {"x", "w"}, {"c"}, {}, 13};
  ir::Node bn{"bn", "BatchNormalization", "", {"c", "s", "b", "m", "v"}, {"y"}, {}, 13};
  ir::Node c2{"c2", "Conv", "", {"x", "w"}, {"z"}, {}, 13};
  g.nodes = {c1, bn, c2};
  ASSERT_TRUE(opt::fold_conv_batch_norm(g).ok());
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].inputs[1], "w_bn");
  EXPECT_EQ(g.nodes[0].outputs[0], "y");
  EXPECT_EQ(g.nodes[1].inputs[1], "w");
  // s / sqrt(v + eps) = 1 / sqrt(3.00001); W' = 2 * that; B' = (0 - 1) * that + 1.
  const double s = 1.0 / std::sqrt(3.0 + 1e-5);
  EXPECT_NEAR(g.initializers["w_bn"].data<float>()[0], 2 * s, 1e-6);
  EXPECT_NEAR(g.initializers[g.nodes[0].inputs[2]].data<float>()[0], 1 - s, 1e-6);
  EXPECT_EQ(g.initializers["w"].data<float>()[0], 2.f);
}

}  // namespace
}  // namespace modelhost::engine
