#include <gtest/gtest.h>

#include "engine/opt/pass.h"
#include "engine/test_util.h"

namespace modelhost::engine {
namespace {

ir::Node node(std::string op, std::vector<std::string> in, std::vector<std::string> out,
              int64_t opset = 13) {
  ir::Node n;
  n.op_type = std::move(op);
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  n.opset = opset;
  return n;
}

ir::Graph graph_with(std::vector<ir::Node> nodes, std::vector<std::string> outputs) {
  ir::Graph g;
  g.opsets[""] = 13;
  g.inputs.push_back({"x", DataType::kFloat32, {-1, 2}, true});
  for (auto& o : outputs) g.outputs.push_back({o, DataType::kFloat32, {}, false});
  g.nodes = std::move(nodes);
  return g;
}

TEST(EngineConstantFoldingTest, FoldsChainsFedOnlyByInitializers) {
  // w2 = Transpose(w) + b is constant; y = MatMul(x, w2) is not.
  ir::Graph g = graph_with({node("Transpose", {"w"}, {"wt"}), node("Add", {"wt", "b"}, {"w2"}),
                            node("MatMul", {"x", "w2"}, {"y"})},
                           {"y"});
  g.initializers["w"] = Tensor::from_vector<float>({2, 2}, {1, 2, 3, 4});
  g.initializers["b"] = Tensor::from_vector<float>({2}, {10, 20});
  ASSERT_TRUE(opt::fold_constants(g).ok());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op_type, "MatMul");
  ASSERT_TRUE(g.initializers.count("w2"));
  EXPECT_EQ(g.initializers["w2"].to_vector<float>(), (std::vector<float>{11, 23, 12, 24}));
}

TEST(EngineConstantFoldingTest, FoldsTheReshapeShapeChainExportersEmit) {
  // shape = Concat(Constant([-1]), Constant([2])) feeding Reshape(x, shape).
  ir::Node c1 = node("Constant", {}, {"a"});
  c1.attributes.set("value", Tensor::from_vector<int64_t>({1}, {-1}));
  ir::Node c2 = node("Constant", {}, {"b"});
  c2.attributes.set("value", Tensor::from_vector<int64_t>({1}, {2}));
  ir::Node concat = node("Concat", {"a", "b"}, {"shape"});
  concat.attributes.set("axis", int64_t{0});
  ir::Graph g = graph_with({c1, c2, concat, node("Reshape", {"x", "shape"}, {"y"})}, {"y"});
  ASSERT_TRUE(opt::fold_constants(g).ok());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op_type, "Reshape");
  EXPECT_EQ(g.initializers["shape"].to_vector<int64_t>(), (std::vector<int64_t>{-1, 2}));
}

TEST(EngineConstantFoldingTest, LeavesFailingAndNonDeterministicNodes) {
  // Adding [2] and [3] cannot broadcast: the node stays so its error shows at run time.
  ir::Graph g = graph_with({node("Add", {"p", "q"}, {"y"}), node("RandomNormalLike", {"p"}, {"z"})},
                           {"y", "z"});
  g.initializers["p"] = Tensor::from_vector<float>({2}, {1, 2});
  g.initializers["q"] = Tensor::from_vector<float>({3}, {1, 2, 3});
  ASSERT_TRUE(opt::fold_constants(g).ok());
  EXPECT_EQ(g.nodes.size(), 2u);
}

TEST(EngineConstantFoldingTest, SessionResultsAreUnchangedAndPassesAreReported) {
  testing::ModelBuilder b;
  b.input("x", DataType::kFloat32, {-1, 2});
  b.output("y", DataType::kFloat32, {-1, 2});
  b.initializer("w", Tensor::from_vector<float>({2, 2}, {1, 2, 3, 4}));
  b.node("Transpose", {"w"}, {"wt"});
  b.node("MatMul", {"x", "wt"}, {"y"});
  auto session = testing::load(b);
  ASSERT_TRUE(session.ok()) << session.status().to_string();
  std::vector<Tensor> inputs{Tensor::from_vector<float>({1, 2}, {1, 1})};
  auto out = (*session)->run(inputs);
  ASSERT_TRUE(out.ok());
  // x @ w^T = [1+2, 3+4]
  EXPECT_EQ((*out)[0].to_vector<float>(), (std::vector<float>{3, 7}));
  const auto& md = (*session)->metadata();
  EXPECT_EQ(md.op_counts.at("Transpose"), 1);
  // Every pass of the pipeline reports, in order, even those that found nothing to do.
  ASSERT_EQ(md.passes.size(), 11u);
  EXPECT_EQ(md.passes[0].name, "constant_folding");
  EXPECT_EQ(md.passes[1].name, "dead_node_elimination");
  EXPECT_EQ(md.passes.back().name, "dead_weight_elimination");
  EXPECT_EQ(md.passes.back().nodes_after, 1);
  EXPECT_EQ(md.passes[0].nodes_before, 2);
  EXPECT_EQ(md.passes[0].nodes_after, 1);
  EXPECT_EQ(md.passes[0].op_counts.count("Transpose"), 0u);
}

}  // namespace
}  // namespace modelhost::engine
