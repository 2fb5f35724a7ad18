#include <gtest/gtest.h>

#include "engine/opt/pass.h"

namespace modelhost::engine {
namespace {

ir::Node node(std::string op, std::vector<std::string> in, std::vector<std::string> out) {
  ir::Node n;
  n.op_type = std::move(op);
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  n.opset = 13;
  return n;
}

TEST(EngineDeadNodeEliminationTest, DropsNodesAndWeightsThatReachNoOutput) {
  ir::Graph g;
  g.inputs.push_back({"x", DataType::kFloat32, {2}, true});
  g.outputs.push_back({"y", DataType::kFloat32, {2}, true});
  // Listed out of order on purpose: y depends on r, which is defined later.
  g.nodes = {node("Identity", {"r"}, {"y"}), node("Relu", {"x"}, {"r"}),
             node("Sigmoid", {"x"}, {"unused"}), node("Add", {"unused", "w"}, {"also_unused"})};
  g.initializers["w"] = Tensor::from_vector<float>({2}, {1, 2});
  ASSERT_TRUE(opt::eliminate_dead_nodes(g).ok());
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].op_type, "Identity");
  EXPECT_EQ(g.nodes[1].op_type, "Relu");
  EXPECT_TRUE(g.initializers.empty());
}

TEST(EngineDeadNodeEliminationTest, KeepsMultiOutputNodesWithOneLiveOutput) {
  ir::Graph g;
  g.inputs.push_back({"x", DataType::kFloat32, {4}, true});
  g.outputs.push_back({"b", DataType::kFloat32, {2}, true});
  g.nodes = {node("Split", {"x"}, {"a", "b"})};
  ASSERT_TRUE(opt::eliminate_dead_nodes(g).ok());
  EXPECT_EQ(g.nodes.size(), 1u);
}

}  // namespace
}  // namespace modelhost::engine
