#include <gtest/gtest.h>

#include "engine/opt/fusion_test_util.h"
#include "engine/opt/pass.h"

namespace modelhost::engine {
namespace {

using testing::expect_same_with_passes;
using testing::ModelBuilder;
using testing::random_tensor;

// A residual block: a = Conv1(x); b = Relu(Conv2(a)); y = Conv3(b) + a, then `tail` reads y.
ModelBuilder block(int64_t channels, bool pool_reads_a) {
  ModelBuilder b(13);
  b.input("x", DataType::kFloat32, {2, channels, 6, 6});
  b.output("out", DataType::kFloat32, {});
  auto conv = [&](const std::string& in, const std::string& out, uint32_t seed, int64_t k) {
    b.initializer("w" + out, random_tensor({channels, channels, k, k}, seed, -0.3f, 0.3f));
    auto& n = b.node("Conv", {in, "w" + out}, {out});
    if (k == 3) testing::set_attr(n, "pads", std::vector<int64_t>{1, 1, 1, 1});
  };
  conv("x", "a", 81, 1);
  conv("a", "c2", 82, 3);
  b.node("Relu", {"c2"}, {"r"});
  conv("r", "c3", 83, 1);
  b.node("Add", {"c3", "a"}, {"y"});
  if (pool_reads_a) {
    b.node("GlobalAveragePool", {"a"}, {"g"});
    b.node("Add", {"y", "g"}, {"out"});
  } else {
    b.node("Relu", {"y"}, {"out"});
  }
  return b;
}

TEST(EngineConvLayoutTest, ChainedConvolutionsGiveTheSameResult) {
  auto ops = expect_same_with_passes(block(16, false), {random_tensor({2, 16, 6, 6}, 84)});
  EXPECT_EQ(ops["FusedConv"], 3);
  EXPECT_EQ(ops.size(), 1u);
}

TEST(EngineConvLayoutTest, MarksOnlyValuesReadByFusedConvsAlone) {
  ir::Graph g;
  g.opsets[""] = 13;
  g.opsets["com.modelhost"] = 1;
  g.inputs.push_back({"x", DataType::kFloat32, {1, 8, 4, 4}, true});
  g.outputs.push_back({"y", DataType::kFloat32, {}, false});
  g.outputs.push_back({"p", DataType::kFloat32, {}, false});
  g.initializers["w8"] = random_tensor({8, 8, 1, 1}, 85);
  g.initializers["w12"] = random_tensor({12, 8, 1, 1}, 86);
  g.initializers["w12b"] = random_tensor({8, 12, 1, 1}, 87);
  auto fc = [](std::string name, std::vector<std::string> in, std::string out) {
    return ir::Node{std::move(name), "FusedConv", "com.modelhost", std::move(in), {std::move(out)}, {}, 1};
  };
  g.nodes = {fc("a", {"x", "w8"}, "a"),           // read by b (X) and c (Z): chained
             fc("b", {"a", "w8"}, "b"),           // read by c only: chained
             fc("c", {"b", "w8", "", "a"}, "c"),  // read by d and by Pool: not chained
             fc("d", {"c", "w12"}, "d"),          // 12 channels: not chained
             fc("e", {"d", "w12b"}, "y"),         // graph output
             ir::Node{"pool", "GlobalAveragePool", "", {"c"}, {"p"}, {}, 13}};
  ASSERT_TRUE(opt::keep_blocked_layouts(g).ok());
  auto get = [&](size_t i, const char* name) {
    auto v = g.nodes[i].attributes.get_int(name, 0);
    return v.ok() ? *v : -1;
  };
  EXPECT_EQ(get(0, "blocked_output"), 1);
  EXPECT_EQ(get(1, "blocked_input"), 1);
  EXPECT_EQ(get(1, "blocked_output"), 1);
  EXPECT_EQ(get(2, "blocked_input"), 1);
  EXPECT_EQ(get(2, "blocked_residual"), 1);
  EXPECT_EQ(get(2, "blocked_output"), 0);
  EXPECT_EQ(get(3, "blocked_input"), 0);
  EXPECT_EQ(get(3, "blocked_output"), 0);
  EXPECT_EQ(get(4, "blocked_output"), 0);
}

TEST(EngineConvLayoutTest, AValueAlsoReadByAnotherOpStaysPlain) {
  auto ops = expect_same_with_passes(block(16, true), {random_tensor({2, 16, 6, 6}, 88)});
  EXPECT_EQ(ops["FusedConv"], 3);
}

TEST(EngineConvLayoutTest, ChannelCountsThatAreNotMultiplesOf8StayPlain) {
  auto ops = expect_same_with_passes(block(12, false), {random_tensor({2, 12, 6, 6}, 89)});
  EXPECT_EQ(ops["FusedConv"], 3);
}

}  // namespace
}  // namespace modelhost::engine
