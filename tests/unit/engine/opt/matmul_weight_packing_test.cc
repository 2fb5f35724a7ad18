#include <gtest/gtest.h>

#include "engine/exec/kernel_registry.h"
#include "engine/opt/fusion_test_util.h"
#include "engine/opt/pass.h"

namespace modelhost::engine {
namespace {

using testing::expect_same_with_passes;
using testing::ModelBuilder;
using testing::random_tensor;

TEST(EngineMatMulWeightPackingTest, APlainMatMulByAWeightRunsPacked) {
  // N = 37: two full strips and a partial one; A has leading dims that fold into M.
  ModelBuilder b(13);
  b.input("x", DataType::kFloat32, {3, 7, 20});
  b.output("y", DataType::kFloat32, {});
  b.initializer("w", random_tensor({20, 37}, 51));
  b.node("MatMul", {"x", "w"}, {"y"});
  auto ops = expect_same_with_passes(b, {random_tensor({3, 7, 20}, 52)});
  EXPECT_EQ(ops["FusedMatMul"], 1);
  EXPECT_EQ(ops.count("MatMul"), 0u);
}

TEST(EngineMatMulWeightPackingTest, AVectorTimesAWeightRunsPacked) {
  ModelBuilder b(13);
  b.input("x", DataType::kFloat32, {300});
  b.output("y", DataType::kFloat32, {});
  b.initializer("w", random_tensor({300, 17}, 53));
  b.node("MatMul", {"x", "w"}, {"y"});
  auto ops = expect_same_with_passes(b, {random_tensor({300}, 54)});
  EXPECT_EQ(ops["FusedMatMul"], 1);
}

TEST(EngineMatMulWeightPackingTest, PacksSharedWeightsOnceAndDropsTheOriginals) {
  ir::Graph g;
  g.opsets[""] = 13;
  g.inputs.push_back({"x", DataType::kFloat32, {4, 8}, true});
  g.inputs.push_back({"r", DataType::kFloat32, {8, 8}, true});
  g.outputs.push_back({"y1", DataType::kFloat32, {}, false});
  g.outputs.push_back({"y2", DataType::kFloat32, {}, false});
  g.outputs.push_back({"y3", DataType::kFloat32, {}, false});
  g.outputs.push_back({"y4", DataType::kFloat32, {}, false});
  g.initializers["shared"] = random_tensor({8, 8}, 55);
  g.initializers["cube"] = random_tensor({2, 8, 8}, 56);
  auto matmul = [](std::string name, std::string b, std::string y) {
    return ir::Node{name, "MatMul", "", {"x", std::move(b)}, {std::move(y)}, {}, 13};
  };
  g.nodes = {matmul("m1", "shared", "y1"), matmul("m2", "shared", "y2"),
             matmul("m3", "cube", "y3"),     // a 3-D weight: a batched MatMul, left alone
             matmul("m4", "r", "y4")};       // B computed at run time: left alone
  ASSERT_TRUE(opt::pack_matmul_weights(g).ok());
  ASSERT_EQ(g.nodes.size(), 4u);
  EXPECT_EQ(g.nodes[0].op_type, "FusedMatMul");
  EXPECT_EQ(g.nodes[0].domain, ir::kModelhostDomain);
  EXPECT_EQ(g.nodes[1].op_type, "FusedMatMul");
  EXPECT_EQ(g.nodes[0].inputs[1], g.nodes[1].inputs[1]);
  EXPECT_EQ(*g.nodes[0].attributes.get_int("packed_n", -1), 8);
  EXPECT_EQ(g.nodes[2].op_type, "MatMul");
  EXPECT_EQ(g.nodes[3].op_type, "MatMul");
  EXPECT_EQ(g.initializers.count("shared"), 0u) << "the original stays after its last reader";
  ASSERT_EQ(g.initializers.count(g.nodes[0].inputs[1]), 1u);
  EXPECT_EQ(g.initializers.at(g.nodes[0].inputs[1]).shape(), (Shape{1, 8, 16}));
  EXPECT_EQ(g.opsets.at(ir::kModelhostDomain), 1);
}

TEST(EngineMatMulWeightPackingTest, AWeightThatIsAlsoAGraphOutputIsKept) {
  ir::Graph g;
  g.opsets[""] = 13;
  g.inputs.push_back({"x", DataType::kFloat32, {4, 8}, true});
  g.outputs.push_back({"y", DataType::kFloat32, {}, false});
  g.outputs.push_back({"w", DataType::kFloat32, {}, false});
  g.initializers["w"] = random_tensor({8, 3}, 57);
  g.nodes = {ir::Node{"m", "MatMul", "", {"x", "w"}, {"y"}, {}, 13}};
  ASSERT_TRUE(opt::pack_matmul_weights(g).ok());
  EXPECT_EQ(g.nodes[0].op_type, "FusedMatMul");
  EXPECT_EQ(g.initializers.count("w"), 1u);
}

TEST(EngineMatMulWeightPackingTest, TheKernelRejectsAPackedWeightOfTheWrongShape) {
  const exec::KernelDef* def =
      exec::KernelRegistry::instance().find(ir::kModelhostDomain, "FusedMatMul", 1);
  ASSERT_NE(def, nullptr);
  ir::Node node{"fc", "FusedMatMul", ir::kModelhostDomain, {"a", "b"}, {"y"}, {}, 1};
  node.attributes.set("packed_n", int64_t{0});
  auto bad = def->factory(node);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("packed_n must be at least 1"), std::string::npos)
      << bad.status().message();

  node.attributes.set("packed_n", int64_t{20});  // needs 2 strips
  auto kernel = def->factory(node);
  ASSERT_TRUE(kernel.ok()) << kernel.status().message();
  Tensor a = random_tensor({3, 8}, 58);
  Tensor b = random_tensor({1, 8, 16}, 59);
  const Tensor* inputs[] = {&a, &b};
  std::vector<Tensor> outputs(1);
  Status st = (*kernel)->compute(exec::KernelContext{}, inputs, outputs);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("packed_n = 20 needs A [..., K] and B [2, K, 16], got [3,8] x [1,8,16]"),
            std::string::npos)
      << st.message();
}

}  // namespace
}  // namespace modelhost::engine
