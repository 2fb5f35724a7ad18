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
  // Shape's kernel declares no rule, so Exp's input is unknown at load (and x's open dim keeps
  // Shape from being folded): the model loads and the run reports the dtype.
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {-1, 3}).output("y", DataType::kFloat32, {2});
  b.node("Shape", {"x"}, {"s"});
  b.node("Exp", {"s"}, {"y"});
  auto s = load(b);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  std::vector<Tensor> in = {Tensor::from_vector<float>({2, 3}, F(6))};
  auto out = (*s)->run(in);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("input 0 has dtype int64"), std::string::npos)
      << out.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
