#include <gtest/gtest.h>

#include <cmath>

#include "engine/cpu/sgemm_packed.h"
#include "engine/opt/fusion_test_util.h"
#include "engine/opt/pass.h"

namespace modelhost::engine {
namespace {

using testing::expect_same_with_passes;
using testing::ModelBuilder;
using testing::random_tensor;

constexpr int64_t kB = 2, kS = 5, kH = 3, kD = 4;

// The attention of a Hugging Face BERT export, on q, k, v inputs of [B, S, H, D].
ModelBuilder attention(bool with_mask, bool mask_first, const char* scale_op = "Div",
                       Shape qkv = {kB, kS, kH, kD}) {
  ModelBuilder b(13);
  for (const char* n : {"q", "k", "v"}) b.input(n, DataType::kFloat32, qkv);
  if (with_mask) b.input("mask", DataType::kFloat32, {qkv[0], 1, 1, qkv[1]});
  b.output("y", DataType::kFloat32, qkv);
  testing::set_attr(b.node("Transpose", {"q"}, {"qt"}), "perm", std::vector<int64_t>{0, 2, 1, 3});
  testing::set_attr(b.node("Transpose", {"k"}, {"kt"}), "perm", std::vector<int64_t>{0, 2, 3, 1});
  testing::set_attr(b.node("Transpose", {"v"}, {"vt"}), "perm", std::vector<int64_t>{0, 2, 1, 3});
  b.node("MatMul", {"qt", "kt"}, {"s"});
  const float head = static_cast<float>(qkv[3]);
  const float c = std::string(scale_op) == "Div" ? std::sqrt(head) : 1.f / std::sqrt(head);
  b.initializer("c", Tensor::from_vector<float>({}, {c}));
  b.node(scale_op, {"s", "c"}, {"scaled"});
  std::string logits = "scaled";
  if (with_mask) {
    b.node("Add",
           mask_first ? std::vector<std::string>{"mask", "scaled"}
                      : std::vector<std::string>{"scaled", "mask"},
           {"masked"});
    logits = "masked";
  }
  testing::set_attr(b.node("Softmax", {logits}, {"p"}), "axis", int64_t{-1});
  b.node("MatMul", {"p", "vt"}, {"ctx"});
  testing::set_attr(b.node("Transpose", {"ctx"}, {"y"}), "perm", std::vector<int64_t>{0, 2, 1, 3});
  return b;
}

std::vector<Tensor> inputs(bool with_mask) {
  std::vector<Tensor> in = {random_tensor({kB, kS, kH, kD}, 71, -2.f, 2.f),
                            random_tensor({kB, kS, kH, kD}, 72, -2.f, 2.f),
                            random_tensor({kB, kS, kH, kD}, 73)};
  if (with_mask) {
    // BERT's additive mask: 0 for tokens, a large negative value for padding.
    Tensor m = Tensor::from_vector<float>({kB, 1, 1, kS},
                                          {0, 0, 0, 0, -10000, 0, 0, -10000, -10000, -10000});
    in.push_back(m);
  }
  return in;
}

TEST(EngineAttentionFusionTest, FusesTheBertPatternWithAndWithoutMask) {
  for (bool with_mask : {false, true}) {
    for (bool mask_first : {false, true}) {
      if (!with_mask && mask_first) continue;
      auto ops = expect_same_with_passes(attention(with_mask, mask_first), inputs(with_mask));
      EXPECT_EQ(ops["FusedAttention"], 1) << with_mask << mask_first;
      EXPECT_EQ(ops.size(), 1u) << with_mask << mask_first;
    }
  }
}

// Long sequences and wide heads: several strips of K^T and V, P V over more than one block of
// 256 keys, partial strips at the ends; with the AVX2 kernel and with the portable path.
TEST(EngineAttentionFusionTest, LongSequencesAndWideHeads) {
  const Shape qkv = {1, 300, 2, 40};
  std::vector<Tensor> in = {random_tensor(qkv, 74, -1.f, 1.f), random_tensor(qkv, 75, -1.f, 1.f),
                            random_tensor(qkv, 76)};
  std::vector<float> mask(300, 0.f);
  for (size_t j = 250; j < mask.size(); ++j) mask[j] = -10000.f;
  in.push_back(Tensor::from_vector<float>({1, 1, 1, 300}, mask));
  for (bool portable : {false, true}) {
    cpu::sgemm_packed_force_portable(portable);
    auto ops = expect_same_with_passes(attention(true, false, "Div", qkv), in);
    EXPECT_EQ(ops["FusedAttention"], 1) << portable;
  }
  cpu::sgemm_packed_force_portable(false);
}

TEST(EngineAttentionFusionTest, FusesAScaleAppliedAsMul) {
  auto ops = expect_same_with_passes(attention(true, false, "Mul"), inputs(true));
  EXPECT_EQ(ops["FusedAttention"], 1);
}

TEST(EngineAttentionFusionTest, LeavesThePatternWhenScoresAreAlsoAnOutput) {
  ModelBuilder b = attention(true, false);
  b.output("p", DataType::kFloat32, {kB, kH, kS, kS});
  auto ops = expect_same_with_passes(b, inputs(true));
  EXPECT_EQ(ops.count("FusedAttention"), 0u);
  EXPECT_EQ(ops["Softmax"], 1);
}

TEST(EngineAttentionFusionTest, AMaskThatDoesNotBroadcastIsARunTimeErrorNamingIt) {
  ModelBuilder b(13);
  b.proto().add_opset_import()->set_domain("com.modelhost");
  b.proto().mutable_opset_import()->rbegin()->set_version(1);
  for (const char* n : {"q", "k", "v"}) b.input(n, DataType::kFloat32, {1, 2, 1, 2});
  b.input("mask", DataType::kFloat32, {3});
  b.output("y", DataType::kFloat32, {1, 2, 1, 2});
  b.node("FusedAttention", {"q", "k", "v", "mask"}, {"y"}).set_domain("com.modelhost");
  auto s = testing::load(b);
  ASSERT_TRUE(s.ok()) << s.status().message();
  std::vector<Tensor> in = {random_tensor({1, 2, 1, 2}, 1), random_tensor({1, 2, 1, 2}, 2),
                            random_tensor({1, 2, 1, 2}, 3), random_tensor({3}, 4)};
  auto r = (*s)->run(in);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("mask [3] does not broadcast to the scores [1,1,2,2]"),
            std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine
