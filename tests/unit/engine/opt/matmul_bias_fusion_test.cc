#include <gtest/gtest.h>

#include "engine/opt/fusion_test_util.h"
#include "engine/opt/pass.h"

namespace modelhost::engine {
namespace {

using testing::expect_same_with_passes;
using testing::ModelBuilder;
using testing::random_tensor;

// x [2, 5, 8] -> MatMul(w [8, 6]) -> Add(bias) -> [activation] -> y
ModelBuilder linear(const char* activation, Shape bias_shape = {6}, bool bias_first = false) {
  ModelBuilder b(20);
  b.input("x", DataType::kFloat32, {2, 5, 8});
  b.output("y", DataType::kFloat32, {});
  b.initializer("w", random_tensor({8, 6}, 31));
  b.initializer("bias", random_tensor(bias_shape, 32));
  b.node("MatMul", {"x", "w"}, {"m"});
  const std::string added = activation ? "a" : "y";
  b.node("Add", bias_first ? std::vector<std::string>{"bias", "m"} : std::vector<std::string>{"m", "bias"},
         {added});
  if (activation) b.node(activation, {"a"}, {"y"});
  return b;
}

TEST(EngineMatMulBiasFusionTest, FusesBiasWithEitherOperandOrder) {
  for (bool first : {false, true}) {
    auto ops = expect_same_with_passes(linear(nullptr, {6}, first), {random_tensor({2, 5, 8}, 33)});
    EXPECT_EQ(ops["FusedMatMul"], 1);
    EXPECT_EQ(ops.count("MatMul"), 0u);
    EXPECT_EQ(ops.count("Add"), 0u);
  }
}

TEST(EngineMatMulBiasFusionTest, FusesTheFollowingActivation) {
  for (const char* act : {"Relu", "Gelu", "Tanh", "Sigmoid"}) {
    auto ops = expect_same_with_passes(linear(act), {random_tensor({2, 5, 8}, 34)});
    EXPECT_EQ(ops["FusedMatMul"], 1) << act;
    EXPECT_EQ(ops.count(act), 0u) << act;
  }
}

TEST(EngineMatMulBiasFusionTest, FusesTheResidualAddOfATransformerBlock) {
  // y = (x W + bias) + r, r of the output's shape or broadcasting into it.
  for (Shape r_shape : {Shape{2, 5, 6}, Shape{5, 1}}) {
    ModelBuilder b(13);
    b.input("x", DataType::kFloat32, {2, 5, 8});
    b.input("r", DataType::kFloat32, r_shape);
    b.output("y", DataType::kFloat32, {});
    b.initializer("w", random_tensor({8, 6}, 42));
    b.initializer("bias", random_tensor({6}, 43));
    b.node("MatMul", {"x", "w"}, {"m"});
    b.node("Add", {"m", "bias"}, {"a"});
    b.node("Add", {"r", "a"}, {"y"});
    auto ops = expect_same_with_passes(b, {random_tensor({2, 5, 8}, 44), random_tensor(r_shape, 45)});
    EXPECT_EQ(ops["FusedMatMul"], 1) << shape_to_string(r_shape);
    EXPECT_EQ(ops.count("Add"), 0u) << shape_to_string(r_shape);
  }
}

TEST(EngineMatMulBiasFusionTest, OneDimensionalInputGivesAVector) {
  ModelBuilder b(13);
  b.input("x", DataType::kFloat32, {8});
  b.output("y", DataType::kFloat32, {6});
  b.initializer("w", random_tensor({8, 6}, 46));
  b.initializer("bias", random_tensor({6}, 47));
  b.node("MatMul", {"x", "w"}, {"m"});
  b.node("Add", {"m", "bias"}, {"y"});
  auto ops = expect_same_with_passes(b, {random_tensor({8}, 48)});
  EXPECT_EQ(ops["FusedMatMul"], 1);
}

TEST(EngineMatMulBiasFusionTest, LeavesABiasThatIsNotARowOfN) {
  // A [5, 6] bias is a full matrix, not a row: the Add stays (the MatMul alone still becomes
  // a FusedMatMul without bias, by opt/matmul_weight_packing).
  auto ops = expect_same_with_passes(linear(nullptr, {5, 6}), {random_tensor({2, 5, 8}, 35)});
  EXPECT_EQ(ops["FusedMatMul"], 1);
  EXPECT_EQ(ops["Add"], 1);
}

TEST(EngineMatMulBiasFusionTest, LeavesAMatMulOfTwoRunTimeValues) {
  ModelBuilder b(13);
  b.input("x", DataType::kFloat32, {3, 4});
  b.input("w", DataType::kFloat32, {4, 2});
  b.output("y", DataType::kFloat32, {3, 2});
  b.initializer("bias", random_tensor({2}, 36));
  b.node("MatMul", {"x", "w"}, {"m"});
  b.node("Add", {"m", "bias"}, {"y"});
  auto ops = expect_same_with_passes(b, {random_tensor({3, 4}, 37), random_tensor({4, 2}, 38)});
  EXPECT_EQ(ops["MatMul"], 1);
}

TEST(EngineMatMulBiasFusionTest, FusedMatMulRejectsABiasOfTheWrongLength) {
  ModelBuilder b(13);
  b.input("x", DataType::kFloat32, {3, 4});
  b.output("y", DataType::kFloat32, {3, 2});
  b.proto().add_opset_import()->set_domain("com.modelhost");
  b.proto().mutable_opset_import()->rbegin()->set_version(1);
  b.initializer("w", random_tensor({4, 2}, 39));
  b.initializer("bias", random_tensor({3}, 40));
  b.node("FusedMatMul", {"x", "w", "bias"}, {"y"}).set_domain("com.modelhost");
  auto s = testing::load(b);
  ASSERT_TRUE(s.ok()) << s.status().message();
  const std::vector<Tensor> in = {random_tensor({3, 4}, 41)};
  auto r = (*s)->run(in);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("does not have N = 2 elements"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine
