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
  if (pool_reads_a) {  // an op without a blocked form reads a
    b.node("Sigmoid", {"a"}, {"g"});
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
    return ir::Node{
        std::move(name), "FusedConv", "com.modelhost", std::move(in), {std::move(out)}, {}, 1};
  };
  g.nodes = {fc("a", {"x", "w8"}, "a"),           // read by b (X) and c (Z): chained
             fc("b", {"a", "w8"}, "b"),           // read by c only: chained
             fc("c", {"b", "w8", "", "a"}, "c"),  // read by d and by Relu: not chained
             fc("d", {"c", "w12"}, "d"),          // 12 channels: not chained
             fc("e", {"d", "w12b"}, "y"),         // graph output
             ir::Node{"relu", "Relu", "", {"c"}, {"p"}, {}, 13}};
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

// Squeeze-and-excitation as EfficientNet exports it: d = Conv(x); g = GlobalAveragePool(d);
// s = Sigmoid(Conv(Relu(Conv(g)))); y = Conv(d * s) (+ x as a residual).
ModelBuilder squeeze_excite(int64_t channels, bool scale_first) {
  ModelBuilder b(13);
  b.input("x", DataType::kFloat32, {2, channels, 5, 5});
  b.output("y", DataType::kFloat32, {});
  b.initializer("wd", random_tensor({channels, 1, 3, 3}, 91, -0.5f, 0.5f));
  auto& dw = b.node("Conv", {"x", "wd"}, {"d"});
  testing::set_attr(dw, "pads", std::vector<int64_t>{1, 1, 1, 1});
  testing::set_attr(dw, "group", channels);
  b.node("GlobalAveragePool", {"d"}, {"g"});
  b.initializer("wr", random_tensor({4, channels, 1, 1}, 92, -0.5f, 0.5f));
  b.initializer("br", random_tensor({4}, 93, -0.5f, 0.5f));
  b.node("Conv", {"g", "wr", "br"}, {"r"});
  b.node("Relu", {"r"}, {"rr"});
  b.initializer("we", random_tensor({channels, 4, 1, 1}, 94, -0.5f, 0.5f));
  b.node("Conv", {"rr", "we"}, {"e"});
  b.node("Sigmoid", {"e"}, {"s"});
  if (scale_first) {
    b.node("Mul", {"s", "d"}, {"m"});
  } else {
    b.node("Mul", {"d", "s"}, {"m"});
  }
  b.initializer("wp", random_tensor({channels, channels, 1, 1}, 95, -0.3f, 0.3f));
  b.node("Conv", {"m", "wp"}, {"p"});
  b.node("Add", {"p", "x"}, {"y"});
  return b;
}

TEST(EngineConvLayoutTest, SqueezeExciteStaysBlocked) {
  for (bool scale_first : {false, true}) {
    auto ops = expect_same_with_passes(squeeze_excite(16, scale_first),
                                       {random_tensor({2, 16, 5, 5}, 96)});
    EXPECT_EQ(ops["FusedConv"], 4);
    EXPECT_EQ(ops["BlockedGlobalAveragePool"], 1);
    EXPECT_EQ(ops["BlockedChannelScale"], 1);
    EXPECT_EQ(ops["Mul"], 0);
    EXPECT_EQ(ops["GlobalAveragePool"], 0);
  }
}

TEST(EngineConvLayoutTest, SqueezeExciteWithOddChannelsStaysPlain) {
  auto ops = expect_same_with_passes(squeeze_excite(12, false), {random_tensor({2, 12, 5, 5}, 97)});
  EXPECT_EQ(ops["GlobalAveragePool"], 1);
  EXPECT_EQ(ops["Mul"], 1);
  EXPECT_EQ(ops["BlockedChannelScale"], 0);
}

TEST(EngineConvLayoutTest, MulByAnUnpooledValueIsNotAChannelScale) {
  // d * Sigmoid(Conv1x1(d)) has the same ops as a channel scale but a full-size second operand.
  ModelBuilder b(13);
  b.input("x", DataType::kFloat32, {1, 8, 4, 4});
  b.output("y", DataType::kFloat32, {});
  b.initializer("w1", random_tensor({8, 8, 3, 3}, 98, -0.3f, 0.3f));
  auto& c1 = b.node("Conv", {"x", "w1"}, {"d"});
  testing::set_attr(c1, "pads", std::vector<int64_t>{1, 1, 1, 1});
  b.initializer("w2", random_tensor({8, 8, 1, 1}, 99, -0.3f, 0.3f));
  b.node("Conv", {"d", "w2"}, {"e"});
  b.node("Sigmoid", {"e"}, {"s"});
  b.node("Mul", {"d", "s"}, {"m"});
  b.initializer("w3", random_tensor({8, 8, 1, 1}, 100, -0.3f, 0.3f));
  b.node("Conv", {"m", "w3"}, {"y"});
  auto ops = expect_same_with_passes(b, {random_tensor({1, 8, 4, 4}, 101)});
  EXPECT_EQ(ops["BlockedChannelScale"], 0);
  EXPECT_EQ(ops["Mul"], 1);
}

}  // namespace
}  // namespace modelhost::engine

namespace modelhost::engine {
namespace {

// A ResNet stem: y = Conv(MaxPool(Relu(Conv(x)))), the pool with the given window attributes;
// with `pool_is_output` the pooled value is a graph output too.
ModelBuilder stem(const std::vector<std::pair<std::string, std::vector<int64_t>>>& window,
                  const std::string& auto_pad, bool pool_is_output) {
  ModelBuilder b(13);
  b.input("x", DataType::kFloat32, {2, 3, 11, 13});
  b.output("y", DataType::kFloat32, {});
  if (pool_is_output) b.output("p", DataType::kFloat32, {});
  b.initializer("w1", random_tensor({16, 3, 3, 3}, 201, -0.5f, 0.5f));
  b.node("Conv", {"x", "w1"}, {"c"});
  b.node("Relu", {"c"}, {"r"});
  auto& pool = b.node("MaxPool", {"r"}, {"p"});
  for (const auto& [name, values] : window) {
    if (name == "ceil_mode") {
      testing::set_attr(pool, name, values[0]);
    } else {
      testing::set_attr(pool, name, values);
    }
  }
  if (!auto_pad.empty()) testing::set_attr(pool, "auto_pad", auto_pad);
  b.initializer("w2", random_tensor({8, 16, 1, 1}, 202, -0.5f, 0.5f));
  b.node("Conv", {"p", "w2"}, {"y"});
  return b;
}

TEST(EngineConvLayoutTest, MaxPoolBetweenConvolutionsStaysBlocked) {
  using W = std::vector<std::pair<std::string, std::vector<int64_t>>>;
  const std::vector<std::pair<W, std::string>> cases = {
      {{{"kernel_shape", {3, 3}}, {"strides", {2, 2}}, {"pads", {1, 1, 1, 1}}}, ""},  // ResNet
      {{{"kernel_shape", {2, 3}}, {"strides", {2, 1}}, {"pads", {0, 1, 1, 0}}}, ""},
      {{{"kernel_shape", {3, 3}}, {"strides", {2, 2}}, {"ceil_mode", {1}}}, ""},
      {{{"kernel_shape", {2, 2}}, {"dilations", {2, 2}}}, ""},
      {{{"kernel_shape", {3, 3}}, {"strides", {2, 2}}}, "SAME_UPPER"},
  };
  for (const auto& [window, auto_pad] : cases) {
    auto ops = expect_same_with_passes(stem(window, auto_pad, false),
                                       {random_tensor({2, 3, 11, 13}, 203)});
    EXPECT_EQ(ops["BlockedMaxPool"], 1) << window.front().second[0];
    EXPECT_EQ(ops["MaxPool"], 0);
    EXPECT_EQ(ops["FusedConv"], 2);
  }
}

TEST(EngineConvLayoutTest, MaxPoolWhoseOutputLeavesTheGraphStaysPlain) {
  auto ops = expect_same_with_passes(
      stem({{"kernel_shape", {3, 3}}, {"strides", {2, 2}}}, "", /*pool_is_output=*/true),
      {random_tensor({2, 3, 11, 13}, 204)});
  EXPECT_EQ(ops["MaxPool"], 1);
  EXPECT_EQ(ops["BlockedMaxPool"], 0);
}

}  // namespace
}  // namespace modelhost::engine
