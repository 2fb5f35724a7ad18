#include <gtest/gtest.h>

#include "engine/opt/fusion_test_util.h"
#include "engine/opt/pass.h"

namespace modelhost::engine {
namespace {

using testing::expect_same_with_passes;
using testing::ModelBuilder;
using testing::random_tensor;

// x -> Conv(w, b) -> c, then `tail` builds the rest ending in "y".
template <typename Tail>
ModelBuilder conv_then(Tail tail, int64_t opset = 13) {
  ModelBuilder b(opset);
  b.input("x", DataType::kFloat32, {2, 3, 5, 5});
  b.output("y", DataType::kFloat32, {2, 4, 5, 5});
  b.initializer("w", random_tensor({4, 3, 3, 3}, 11));
  b.initializer("b", random_tensor({4}, 12));
  auto& conv = b.node("Conv", {"x", "w", "b"}, {"c"});
  testing::set_attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
  tail(b);
  return b;
}

TEST(EngineConvActivationFusionTest, FusesEachActivation) {
  struct Case {
    const char* op;
    std::vector<std::pair<std::string, float>> attrs;
  };
  for (const Case& c : std::vector<Case>{{"Relu", {}},
                                         {"LeakyRelu", {{"alpha", 0.2f}}},
                                         {"Sigmoid", {}},
                                         {"Tanh", {}},
                                         {"HardSigmoid", {{"alpha", 0.3f}, {"beta", 0.4f}}},
                                         {"HardSwish", {}}}) {
    auto ops = expect_same_with_passes(conv_then([&](ModelBuilder& b) {
                                         auto& n = b.node(c.op, {"c"}, {"y"});
                                         for (auto& [k, v] : c.attrs) testing::set_attr(n, k, v);
                                       }, 14),
                                       {random_tensor({2, 3, 5, 5}, 13)});
    EXPECT_EQ(ops["FusedConv"], 1) << c.op;
    EXPECT_EQ(ops.count(c.op), 0u) << c.op;
  }
}

TEST(EngineConvActivationFusionTest, FusesClipWithWeightBounds) {
  auto ops = expect_same_with_passes(conv_then([](ModelBuilder& b) {
                                       b.initializer("lo", Tensor::from_vector<float>({}, {0.f}));
                                       b.initializer("hi", Tensor::from_vector<float>({}, {0.5f}));
                                       b.node("Clip", {"c", "lo", "hi"}, {"y"});
                                     }),
                                     {random_tensor({2, 3, 5, 5}, 14)});
  EXPECT_EQ(ops["FusedConv"], 1);
  EXPECT_EQ(ops.count("Clip"), 0u);
}

TEST(EngineConvActivationFusionTest, FusesResidualAddThenRelu) {
  ModelBuilder b = conv_then([](ModelBuilder& m) {
    m.input("r", DataType::kFloat32, {2, 4, 5, 5});
    m.node("Add", {"r", "c"}, {"s"});
    m.node("Relu", {"s"}, {"y"});
  });
  auto ops = expect_same_with_passes(b, {random_tensor({2, 3, 5, 5}, 15),
                                         random_tensor({2, 4, 5, 5}, 16)});
  EXPECT_EQ(ops["FusedConv"], 1);
  EXPECT_EQ(ops.count("Add"), 0u);
  EXPECT_EQ(ops.count("Relu"), 0u);
}

TEST(EngineConvActivationFusionTest, ResidualThatBroadcastsIsAddedAfterTheConvolution) {
  // Z [4, 1, 1] broadcasts over Y: the sum cannot be a post-op but the result is the same.
  ModelBuilder b = conv_then([](ModelBuilder& m) {
    m.input("r", DataType::kFloat32, {4, 1, 1});
    m.node("Add", {"c", "r"}, {"s"});
    m.node("Relu", {"s"}, {"y"});
  });
  auto ops = expect_same_with_passes(b, {random_tensor({2, 3, 5, 5}, 17),
                                         random_tensor({4, 1, 1}, 18)});
  EXPECT_EQ(ops["FusedConv"], 1);
}

TEST(EngineConvActivationFusionTest, FusesSwishSpelledAsSigmoidAndMul) {
  auto ops = expect_same_with_passes(conv_then([](ModelBuilder& b) {
                                       b.node("Sigmoid", {"c"}, {"s"});
                                       b.node("Mul", {"c", "s"}, {"y"});
                                     }),
                                     {random_tensor({2, 3, 5, 5}, 19)});
  EXPECT_EQ(ops["FusedConv"], 1);
  EXPECT_EQ(ops.count("Sigmoid"), 0u);
  EXPECT_EQ(ops.count("Mul"), 0u);
}

TEST(EngineConvActivationFusionTest, LeavesAnActivationWhoseInputIsAlsoUsedElsewhere) {
  ModelBuilder b = conv_then([](ModelBuilder& m) {
    m.node("Relu", {"c"}, {"y"});
    m.output("c", DataType::kFloat32, {2, 4, 5, 5});
  });
  auto ops = expect_same_with_passes(b, {random_tensor({2, 3, 5, 5}, 20)});
  EXPECT_EQ(ops["Relu"], 1);
  EXPECT_EQ(ops["FusedConv"], 1);  // the Conv alone, for its packed weights
}

TEST(EngineConvActivationFusionTest, BlockedConvolutionsMatchThePlainOnes) {
  // 3x3 with 16 input channels, a depthwise 3x3 and a 1x1, with and without a residual: the
  // fused kernel runs the first two on blocked layouts with packed weights.
  for (int64_t group : {1, 16}) {
    ModelBuilder b(13);
    b.input("x", DataType::kFloat32, {2, 16, 9, 9});
    b.input("r", DataType::kFloat32, {2, 16, 9, 9});
    b.output("y", DataType::kFloat32, {2, 16, 9, 9});
    b.initializer("w", random_tensor({16, 16 / group, 3, 3}, 22));
    b.initializer("b", random_tensor({16}, 23));
    b.initializer("w1", random_tensor({16, 16, 1, 1}, 24));
    auto& conv = b.node("Conv", {"x", "w", "b"}, {"c"});
    testing::set_attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
    testing::set_attr(conv, "group", group);
    b.node("Add", {"c", "r"}, {"s"});
    b.node("Relu", {"s"}, {"t"});
    b.node("Conv", {"t", "w1"}, {"y"});
    const std::vector<Tensor> in = {random_tensor({2, 16, 9, 9}, 25),
                                    random_tensor({2, 16, 9, 9}, 26)};
    auto ops = expect_same_with_passes(b, in);
    EXPECT_EQ(ops["FusedConv"], 2) << group;
    EXPECT_EQ(ops.size(), 1u) << group;
    // The second run uses the weights packed by the first.
    testing::TempDir dir;
    auto s = Session::create(b.save(dir.path()), SessionOptions{});
    ASSERT_TRUE(s.ok());
    auto first = (*s)->run(in);
    auto second = (*s)->run(in);
    ASSERT_TRUE(first.ok() && second.ok());
    EXPECT_EQ((*first)[0].to_vector<float>(), (*second)[0].to_vector<float>());
  }
}

TEST(EngineConvActivationFusionTest, FusedNodeWithAnUnknownActivationIsALoadError) {
  ModelBuilder b(13);
  b.input("x", DataType::kFloat32, {1, 1, 3, 3});
  b.output("y", DataType::kFloat32, {1, 1, 3, 3});
  b.proto().add_opset_import()->set_domain("com.modelhost");
  b.proto().mutable_opset_import()->rbegin()->set_version(1);
  b.initializer("w", random_tensor({1, 1, 1, 1}, 21));
  auto& n = b.node("FusedConv", {"x", "w"}, {"y"});
  n.set_domain("com.modelhost");
  testing::set_attr(n, "activation", std::string("Softsign"));
  auto s = testing::load(b);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("unknown activation \"Softsign\""), std::string::npos)
      << s.status().message();
}

}  // namespace
}  // namespace modelhost::engine
