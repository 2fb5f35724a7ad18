// Load-time type checks (Kernel::infer_types): a dtype a kernel cannot compute fails when the
// model loads, naming the node, instead of at its first request; unknown dtypes pass.
#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;

::testing::AssertionResult fails_to_load_with(const ModelBuilder& b, const std::string& needle) {
  auto s = load(b);
  if (s.ok()) return ::testing::AssertionFailure() << "loaded, expected \"" << needle << "\"";
  if (s.status().message().find(needle) == std::string::npos) {
    return ::testing::AssertionFailure() << s.status().to_string() << "\n  lacks: " << needle;
  }
  return ::testing::AssertionSuccess();
}

TEST(EngineTypeCheckTest, FloatOpOnADeclaredIntegerInputFailsAtLoad) {
  ModelBuilder b;
  b.input("ids", DataType::kInt64, {-1}).output("y", DataType::kFloat32, {-1});
  b.node("Exp", {"ids"}, {"y"}, "exp_ids");
  EXPECT_TRUE(fails_to_load_with(
      b,
      "node \"exp_ids\" (op Exp, domain \"\", opset 13): input 0 has dtype int64; Exp "
      "supports float32, float64, float16, bfloat16"));
}

TEST(EngineTypeCheckTest, MixedDtypesOfABinaryOpFailAtLoad) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {2}).output("y", DataType::kFloat32, {2});
  b.initializer("k", Tensor::from_vector<int64_t>({2}, {1, 2}));
  b.node("Add", {"x", "k"}, {"y"}, "add_k");
  EXPECT_TRUE(fails_to_load_with(b,
                                 "node \"add_k\" (op Add, domain \"\", opset 13): inputs have "
                                 "different dtypes: float32 and int64"));
  ModelBuilder bools;
  bools.input("p", DataType::kBool, {2}).output("y", DataType::kBool, {2});
  bools.node("Mul", {"p", "p"}, {"y"}, "mul_bools");
  EXPECT_TRUE(fails_to_load_with(bools, "input 0 has dtype bool; Mul supports float32"));
}

TEST(EngineTypeCheckTest, DtypesFlowThroughKernelsThatKnowTheirOutputs) {
  // float -> Cast(int32) -> Neg -> Sqrt: Sqrt's input is known to be int32 only through Cast and
  // Neg's rules.
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {3}).output("y", DataType::kFloat32, {3});
  testing::set_attr(b.node("Cast", {"x"}, {"i"}), "to", int64_t{6});
  b.node("Add", {"i", "i"}, {"j"});
  b.node("Sqrt", {"j"}, {"y"}, "sqrt_ints");
  EXPECT_TRUE(fails_to_load_with(b,
                                 "node \"sqrt_ints\" (op Sqrt, domain \"\", opset 13): input 0 "
                                 "has dtype int32; Sqrt supports float32"));
  // The same chain cast back to float loads and runs.
  ModelBuilder ok;
  ok.input("x", DataType::kFloat32, {3}).output("y", DataType::kFloat32, {3});
  testing::set_attr(ok.node("Cast", {"x"}, {"i"}), "to", int64_t{6});
  ok.node("Add", {"i", "i"}, {"j"});
  testing::set_attr(ok.node("Cast", {"j"}, {"f"}), "to", int64_t{1});
  ok.node("Sqrt", {"f"}, {"y"});
  auto s = load(ok);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  std::vector<Tensor> in = {Tensor::from_vector<float>({3}, F{2.5f, 8.9f, 0})};
  auto out = (*s)->run(in);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  expect_float_tensor((*out)[0], {3}, {2, 4, 0});
}

TEST(EngineTypeCheckTest, UnknownDtypesAreLeftToRunTime) {
  // ArgMax's kernel declares no rule, so Exp's input is unknown at load: the model loads and the
  // run reports the dtype.
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {-1, 3}).output("y", DataType::kFloat32, {});
  b.node("ArgMax", {"x"}, {"s"});
  b.node("Exp", {"s"}, {"y"});
  auto s = load(b);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  std::vector<Tensor> in = {Tensor::from_vector<float>({2, 3}, F(6))};
  auto out = (*s)->run(in);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("input 0 has dtype int64"), std::string::npos)
      << out.status().message();
}

TEST(EngineTypeCheckTest, ShapeAndComparisonsGiveTheirOwnDtypes) {
  // Shape is int64 whatever its input; an open dim keeps it from being folded.
  ModelBuilder shape;
  shape.input("x", DataType::kFloat32, {-1, 3}).output("y", DataType::kFloat32, {2});
  shape.node("Shape", {"x"}, {"s"});
  shape.node("Exp", {"s"}, {"y"}, "exp_shape");
  EXPECT_TRUE(fails_to_load_with(shape,
                                 "node \"exp_shape\" (op Exp, domain \"\", opset 13): "
                                 "input 0 has dtype int64"));
  ModelBuilder less;
  less.input("x", DataType::kFloat32, {3}).output("y", DataType::kFloat32, {3});
  less.node("Less", {"x", "x"}, {"b"});
  less.node("Sigmoid", {"b"}, {"y"}, "sigmoid_bools");
  EXPECT_TRUE(fails_to_load_with(less,
                                 "node \"sigmoid_bools\" (op Sigmoid, domain \"\", opset "
                                 "13): input 0 has dtype bool; Sigmoid supports float32"));
}

TEST(EngineTypeCheckTest, DtypesFlowThroughDataMovementOps) {
  // int64 ids -> Unsqueeze -> Reshape -> Transpose -> Gather -> Concat -> MatMul with a float
  // input: the mismatch is found at load, at the MatMul, through five kernels' rules.
  ModelBuilder b;
  b.input("ids", DataType::kInt64, {2, 3}).input("w", DataType::kFloat32, {3, 2});
  b.output("y", DataType::kFloat32, {});
  b.initializer("axes", Tensor::from_vector<int64_t>({1}, {0}));
  b.initializer("shape", Tensor::from_vector<int64_t>({2}, {3, 2}));
  b.initializer("idx", Tensor::from_vector<int64_t>({1}, {1}));
  b.node("Unsqueeze", {"ids", "axes"}, {"u"});
  b.node("Reshape", {"u", "shape"}, {"r"});
  b.node("Transpose", {"r"}, {"t"});
  b.node("Gather", {"t", "idx"}, {"g"});
  b.node("Concat", {"g", "g"}, {"c"}).add_attribute()->CopyFrom([] {
    ::onnx::AttributeProto a;
    a.set_name("axis");
    a.set_type(::onnx::AttributeProto::INT);
    a.set_i(0);
    return a;
  }());
  b.node("MatMul", {"c", "w"}, {"y"}, "mm");
  EXPECT_TRUE(fails_to_load_with(b,
                                 "node \"mm\" (op MatMul, domain \"\", opset 13): inputs "
                                 "have different dtypes: int64 and float32"));
}

TEST(EngineTypeCheckTest, ConvAndGemmRefuseNonFloatInputsAtLoad) {
  ModelBuilder conv;
  conv.input("x", DataType::kInt64, {1, 1, 3, 3}).output("y", DataType::kFloat32, {});
  conv.initializer("w", Tensor::from_vector<float>({1, 1, 1, 1}, F{2}));
  conv.node("Conv", {"x", "w"}, {"y"}, "conv_ints");
  EXPECT_TRUE(fails_to_load_with(conv, "input 0 has dtype int64; Conv supports float32"));
  ModelBuilder gemm;
  gemm.input("a", DataType::kFloat32, {2, 2}).input("b", DataType::kInt32, {2, 2});
  gemm.output("y", DataType::kFloat32, {});
  gemm.node("Gemm", {"a", "b"}, {"y"}, "gemm_ints");
  EXPECT_TRUE(fails_to_load_with(gemm, "input 1 has dtype int32; Gemm supports float32"));
}

}  // namespace
}  // namespace modelhost::engine::testing
