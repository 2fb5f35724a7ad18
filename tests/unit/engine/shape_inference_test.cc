// Load-time shape inference (exec/shape_inference.h), seen through Session: the inferred output
// shapes with their symbols, the signature of outputs declared without a shape, and load errors
// for shapes that contradict each other.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

// "[batch,sequence,8]" from an output's inferred shape ("?" for an unnamed open dim).
std::string inferred(const Session& s, size_t output) {
  const auto& out = s.metadata().output_shapes.at(output);
  if (!out.has_shape) return "none";
  std::string r = "[";
  for (size_t i = 0; i < out.shape.size(); ++i) {
    if (i > 0) r += ",";
    r += out.shape[i] >= 0 ? std::to_string(out.shape[i])
                           : (out.symbols[i].empty() ? "?" : out.symbols[i]);
  }
  return r + "]";
}

::onnx::NodeProto& with_ints(::onnx::NodeProto& n, const std::string& name,
                             std::vector<int64_t> v) {
  set_attr(n, name, v);
  return n;
}

TEST(EngineShapeInferenceTest, NamedDimsFlowThroughAnAttentionStyleChain) {
  // ids [batch, sequence] -> embeddings [batch, sequence, 8] -> heads via a Reshape whose target
  // is built from Shape -> Gather -> Unsqueeze -> Concat -> scores and back with a -1.
  ModelBuilder b;
  b.input("ids", DataType::kInt64, {-1, -1});
  b.output("scores", DataType::kFloat32, {}, false);
  b.output("merged", DataType::kFloat32, {}, false);
  b.output("pooled", DataType::kFloat32, {}, false);
  auto* dims = b.proto().mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type();
  dims->mutable_shape()->mutable_dim(0)->set_dim_param("batch");
  dims->mutable_shape()->mutable_dim(1)->set_dim_param("sequence");
  b.initializer("emb", Tensor::from_vector<float>({100, 8}, std::vector<float>(800, 0.5f)));
  b.initializer("i0", Tensor::from_vector<int64_t>({}, {0}));
  b.initializer("i1", Tensor::from_vector<int64_t>({}, {1}));
  b.initializer("ax0", Tensor::from_vector<int64_t>({1}, {0}));
  b.initializer("heads", Tensor::from_vector<int64_t>({2}, {2, 4}));
  b.initializer("flat", Tensor::from_vector<int64_t>({3}, {0, -1, 8}));
  b.node("Gather", {"emb", "ids"}, {"x"});
  b.node("Shape", {"x"}, {"shape"});
  b.node("Gather", {"shape", "i0"}, {"n"});
  b.node("Gather", {"shape", "i1"}, {"s"});
  b.node("Unsqueeze", {"n", "ax0"}, {"n1"});
  b.node("Unsqueeze", {"s", "ax0"}, {"s1"});
  set_attr(b.node("Concat", {"n1", "s1", "heads"}, {"target"}), "axis", int64_t{0});
  b.node("Reshape", {"x", "target"}, {"q"});                            // [batch,sequence,2,4]
  with_ints(b.node("Transpose", {"q"}, {"qt"}), "perm", {0, 2, 1, 3});  // [batch,2,sequence,4]
  with_ints(b.node("Transpose", {"q"}, {"kt"}), "perm", {0, 2, 3, 1});  // [batch,2,4,sequence]
  b.node("MatMul", {"qt", "kt"}, {"scores"});
  with_ints(b.node("Transpose", {"qt"}, {"back"}), "perm", {0, 2, 1, 3});
  b.node("Reshape", {"back", "flat"}, {"merged"});
  set_attr(with_ints(b.node("ReduceMean", {"merged"}, {"pooled"}), "axes", {1}), "keepdims",
           int64_t{0});
  auto s = load(b);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(inferred(**s, 0), "[batch,2,sequence,sequence]");
  EXPECT_EQ(inferred(**s, 1), "[batch,sequence,8]");
  EXPECT_EQ(inferred(**s, 2), "[batch,8]");
  // Outputs declared without a shape take the inferred one in the signature.
  EXPECT_EQ((*s)->signature().outputs[2].shape, (Shape{-1, 8}));
}

TEST(EngineShapeInferenceTest, WindowedOpsComputeTheirSpatialSizes) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {-1, 3, 32, 30});
  b.output("y", DataType::kFloat32, {}, false);
  b.output("g", DataType::kFloat32, {}, false);
  b.initializer("w", Tensor::from_vector<float>({16, 3, 3, 3}, std::vector<float>(432, 0.1f)));
  auto& conv = b.node("Conv", {"x", "w"}, {"c"});
  set_attr(conv, "strides", std::vector<int64_t>{2, 2});
  set_attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});  // [N,16,16,15]
  auto& pool = b.node("MaxPool", {"c"}, {"y"});
  set_attr(pool, "kernel_shape", std::vector<int64_t>{3, 3});
  set_attr(pool, "strides", std::vector<int64_t>{2, 2});
  set_attr(pool, "ceil_mode", int64_t{1});  // ceil((16-3)/2)+1 = 8, ceil((15-3)/2)+1 = 7
  b.node("GlobalAveragePool", {"c"}, {"p"});
  b.node("Flatten", {"p"}, {"g"});
  auto s = load(b);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(inferred(**s, 0), "[N,16,8,7]");
  EXPECT_EQ(inferred(**s, 1), "[N,16]");
  std::vector<Tensor> in = {Tensor::from_vector<float>({2, 3, 32, 30}, std::vector<float>(5760))};
  auto out = (*s)->run(in);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 16, 8, 7}));
}

TEST(EngineShapeInferenceTest, ContradictoryShapesFailTheLoadNamingTheNode) {
  struct Case {
    const char* what;
    ModelBuilder model;
    std::string error;
  };
  std::vector<Case> cases;
  {
    ModelBuilder b;
    b.input("a", DataType::kFloat32, {-1, 4}).output("y", DataType::kFloat32, {});
    b.initializer("w", Tensor::from_vector<float>({5, 3}, std::vector<float>(15)));
    b.node("MatMul", {"a", "w"}, {"y"}, "proj");
    cases.push_back({"matmul", b,
                     "node \"proj\" (op MatMul, domain \"\", opset 13): inner dimensions differ: "
                     "[N,4] x [5,3]"});
  }
  {
    ModelBuilder b;
    b.input("a", DataType::kFloat32, {2, 3}).input("c", DataType::kFloat32, {4});
    b.output("y", DataType::kFloat32, {});
    b.node("Add", {"a", "c"}, {"y"}, "add");
    cases.push_back({"broadcast", b, "shapes [2,3] and [4] cannot be broadcast together"});
  }
  {
    ModelBuilder b;
    b.input("a", DataType::kFloat32, {-1, 6}).output("y", DataType::kFloat32, {});
    b.initializer("t", Tensor::from_vector<int64_t>({3}, {0, 4, 2}));
    b.node("Reshape", {"a", "t"}, {"y"}, "reshape");
    cases.push_back({"reshape", b, "cannot reshape [N,6] to [0,4,2]: the element counts differ"});
  }
  {
    ModelBuilder b;
    b.input("x", DataType::kFloat32, {1, 4, 8, 8}).output("y", DataType::kFloat32, {});
    b.input("w", DataType::kFloat32, {8, 3, 3, 3});
    b.node("Conv", {"x", "w"}, {"y"}, "conv");
    cases.push_back(
        {"conv", b, "input has 4 channels, the weight [8,3,3,3] with group 1 expects 3"});
  }
  for (const Case& c : cases) {
    auto s = load(c.model);
    ASSERT_FALSE(s.ok()) << c.what;
    EXPECT_NE(s.status().message().find(c.error), std::string::npos)
        << c.what << ": " << s.status().message();
  }
}

TEST(EngineShapeInferenceTest, OpsWithoutARuleLeaveTheShapeToRunTime) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {3, 4}).output("y", DataType::kInt64, {}, false);
  b.node("NonZero", {"x"}, {"y"});
  auto s = load(b);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(inferred(**s, 0), "none");
}

}  // namespace
}  // namespace modelhost::engine::testing
