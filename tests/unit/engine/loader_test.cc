// Loading through Session::create: every structural check happens here, with a message naming
// the node, its op and its opset.
#include <gtest/gtest.h>

#include <fstream>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

namespace fs = std::filesystem;
using F = std::vector<float>;

::testing::AssertionResult fails_with(const Result<std::unique_ptr<Session>>& r,
                                      const std::string& needle) {
  if (r.ok()) return ::testing::AssertionFailure() << "loaded, expected \"" << needle << "\"";
  if (r.status().message().find(needle) == std::string::npos) {
    return ::testing::AssertionFailure() << r.status().to_string() << "\n  lacks: " << needle;
  }
  return ::testing::AssertionSuccess();
}

// x[-1,4] -> fc1 (Gemm with W, B) -> Relu -> y[-1,2]
ModelBuilder mlp(int64_t opset = 13) {
  ModelBuilder b(opset);
  b.input("x", DataType::kFloat32, {-1, 4}).output("y", DataType::kFloat32, {-1, 2});
  b.initializer("W", Tensor::from_vector<float>({4, 2}, F{1, 0, 0, 1, 1, 0, 0, 1}));
  b.initializer("B", Tensor::from_vector<float>({2}, F{0.5f, -100}));
  b.node("Gemm", {"x", "W", "B"}, {"h"}, "fc1");
  b.node("Relu", {"h"}, {"y"}, "relu1");
  return b;
}

TEST(EngineLoaderTest, LoadsAndRunsAnMlp) {
  auto s = load(mlp());
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  std::vector<Tensor> in = {Tensor::from_vector<float>({2, 4}, F{1, 2, 3, 4, -5, 0, 0, 0})};
  auto out = (*s)->run(in);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  expect_float_tensor((*out)[0], {2, 2}, {4.5f, 0, 0, 0});
}

TEST(EngineLoaderTest, Signature) {
  ModelBuilder b = mlp();
  // A graph input that is also an initializer is a weight with a default, not a model input.
  b.input("W", DataType::kFloat32, {4, 2});
  auto s = load(b);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  const ModelSignature& sig = (*s)->signature();
  ASSERT_EQ(sig.inputs.size(), 1u);
  EXPECT_EQ(sig.inputs[0].name, "x");
  EXPECT_EQ(sig.inputs[0].dtype, DataType::kFloat32);
  EXPECT_EQ(sig.inputs[0].shape, (Shape{-1, 4}));
  ASSERT_EQ(sig.outputs.size(), 1u);
  EXPECT_EQ(sig.outputs[0].name, "y");
  EXPECT_EQ(sig.outputs[0].shape, (Shape{-1, 2}));
  EXPECT_TRUE(sig.batchable);
  const ModelMetadata& md = (*s)->metadata();
  EXPECT_EQ(md.opset, 13);
  EXPECT_EQ(md.op_counts.at("Gemm"), 1);
  EXPECT_EQ(md.op_counts.at("Relu"), 1);
}

TEST(EngineLoaderTest, NotBatchableWithFixedOrScalarDims) {
  ModelBuilder fixed;
  fixed.input("x", DataType::kFloat32, {1, 4}).output("y", DataType::kFloat32, {1, 4});
  fixed.node("Relu", {"x"}, {"y"});
  auto s = load(fixed);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_FALSE((*s)->signature().batchable);

  ModelBuilder scalar_out;
  scalar_out.input("x", DataType::kFloat32, {-1}).output("y", DataType::kFloat32, {});
  scalar_out.node("Relu", {"x"}, {"y"});
  auto t = load(scalar_out);
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_FALSE((*t)->signature().batchable);
}

TEST(EngineLoaderTest, UnknownOp) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {2}).output("y", DataType::kFloat32, {2});
  b.node("Foo", {"x"}, {"y"}, "fc1");
  EXPECT_TRUE(
      fails_with(load(b), "node \"fc1\" (op Foo, domain \"\", opset 13): no kernel for this op"));
}

TEST(EngineLoaderTest, OtherDomainIsAnUnknownOp) {
  ModelBuilder b;
  auto* op = b.proto().add_opset_import();
  op->set_domain("com.microsoft");
  op->set_version(1);
  b.input("x", DataType::kFloat32, {2}).output("y", DataType::kFloat32, {2});
  b.node("Relu", {"x"}, {"y"}, "r").set_domain("com.microsoft");
  EXPECT_TRUE(fails_with(load(b),
                         "node \"r\" (op Relu, domain \"com.microsoft\", opset 1): "
                         "no kernel for this op"));
}

TEST(EngineLoaderTest, UnsupportedOpsets) {
  for (int64_t opset : {6, 25}) {
    ModelBuilder b(opset);
    b.input("x", DataType::kFloat32, {2}).output("y", DataType::kFloat32, {2});
    b.node("Relu", {"x"}, {"y"}, "r");
    const std::string o = std::to_string(opset);
    EXPECT_TRUE(fails_with(load(b), "node \"r\" (op Relu, domain \"\", opset " + o + "): opset " +
                                        o +
                                        " of the default domain is not supported; "
                                        "supported opsets are 7..24"));
  }
  ModelBuilder ok7(7);
  ok7.input("x", DataType::kFloat32, {2}).output("y", DataType::kFloat32, {2});
  ok7.node("Relu", {"x"}, {"y"});
  EXPECT_TRUE(load(ok7).ok());
}

TEST(EngineLoaderTest, NoDefaultOpsetImport) {
  ModelBuilder b;
  b.proto().clear_opset_import();
  b.input("x", DataType::kFloat32, {2}).output("y", DataType::kFloat32, {2});
  b.node("Relu", {"x"}, {"y"});
  EXPECT_TRUE(fails_with(load(b), "imports no opset for the default ONNX domain"));
}

TEST(EngineLoaderTest, MissingInitializer) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {-1, 4}).output("y", DataType::kFloat32, {-1, 2});
  b.node("Gemm", {"x", "W"}, {"y"}, "fc1");
  EXPECT_TRUE(fails_with(load(b),
                         "node \"fc1\" (op Gemm, domain \"\", opset 13): input \"W\" is "
                         "not a graph input, an initializer or the output of another node"));
}

TEST(EngineLoaderTest, UnnamedNodeIsNamedByPosition) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {2}).output("y", DataType::kFloat32, {2});
  b.node("Relu", {"x"}, {"h"});
  b.node("Bar", {"h"}, {"y"});
  EXPECT_TRUE(fails_with(load(b), "node #1 -> \"y\" (op Bar, domain \"\", opset 13)"));
}

TEST(EngineLoaderTest, Cycle) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {2}).output("y", DataType::kFloat32, {2});
  b.node("Add", {"x", "c"}, {"a"}, "first");
  b.node("Relu", {"a"}, {"c"}, "second");
  b.node("Identity", {"a"}, {"y"}, "out");
  EXPECT_TRUE(fails_with(load(b), "(op Add, domain \"\", opset 13): the graph has a cycle"));
}

TEST(EngineLoaderTest, ValueProducedTwice) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {2}).output("y", DataType::kFloat32, {2});
  b.node("Relu", {"x"}, {"y"}, "a");
  b.node("Relu", {"x"}, {"y"}, "b");
  EXPECT_TRUE(fails_with(load(b),
                         "node \"b\" (op Relu, domain \"\", opset 13): output \"y\" is "
                         "already produced"));
}

TEST(EngineLoaderTest, GraphOutputNotProduced) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {2}).output("nope", DataType::kFloat32, {2});
  b.node("Relu", {"x"}, {"y"});
  EXPECT_TRUE(fails_with(load(b), "graph output \"nope\" is not produced"));
}

TEST(EngineLoaderTest, MissingFile) {
  auto r = Session::create("/nonexistent/model.onnx", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("does not exist"), std::string::npos);
}

TEST(EngineLoaderTest, MalformedFile) {
  TempDir dir;
  const fs::path path = dir.path() / "model.onnx";
  std::string bytes;
  uint32_t state = 12345;
  for (int i = 0; i < 4096; ++i) {
    state = state * 1664525u + 1013904223u;
    bytes.push_back(static_cast<char>(state >> 24));
  }
  std::ofstream(path, std::ios::binary) << bytes;
  auto r = Session::create(path.string(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("not a valid ONNX model"), std::string::npos)
      << r.status().message();

  std::ofstream(path, std::ios::binary | std::ios::trunc) << "";
  auto empty = Session::create(path.string(), {});
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("not a valid ONNX model"), std::string::npos);
}

TEST(EngineLoaderTest, TypedInitializerFields) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {2}).output("y", DataType::kFloat32, {2});
  b.output("z", DataType::kInt64, {2});
  auto& w = b.initializer_proto();
  w.set_name("w");
  w.set_data_type(::onnx::TensorProto::FLOAT);
  w.add_dims(2);
  w.add_float_data(10);
  w.add_float_data(20);
  auto& k = b.initializer_proto();
  k.set_name("k");
  k.set_data_type(::onnx::TensorProto::INT64);
  k.add_dims(2);
  k.add_int64_data(-3);
  k.add_int64_data(4);
  b.node("Add", {"x", "w"}, {"y"});
  b.node("Identity", {"k"}, {"z"});
  auto s = load(b);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  std::vector<Tensor> in = {Tensor::from_vector<float>({2}, F{1, 2})};
  auto out = (*s)->run(in);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  expect_float_tensor((*out)[0], {2}, {11, 22});
  expect_int64_tensor((*out)[1], {2}, {-3, 4});
}

TEST(EngineLoaderTest, InitializerSizeMismatch) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {2}).output("y", DataType::kFloat32, {2});
  auto& w = b.initializer_proto();
  w.set_name("w");
  w.set_data_type(::onnx::TensorProto::FLOAT);
  w.add_dims(3);
  w.set_raw_data(std::string(8, '\0'));
  b.node("Add", {"x", "w"}, {"y"}, "add");
  EXPECT_TRUE(fails_with(load(b),
                         "initializer \"w\" (used by node \"add\" (op Add, domain \"\", "
                         "opset 13)): raw_data has 8 bytes, the shape needs 12"));
}

TEST(EngineLoaderTest, PackedFourBitInitializerSizeIsChecked) {
  // Five int4 values travel in three bytes; four bytes is a corrupt file.
  ModelBuilder b(21);
  b.output("y", DataType::kInt32, {5});
  auto& w = b.initializer_proto();
  w.set_name("w");
  w.set_data_type(22);  // INT4, newer than the onnx.proto this engine is built with
  w.add_dims(5);
  w.set_raw_data(std::string(4, '\0'));
  b.node("Cast", {"w"}, {"y"}, "cast").add_attribute()->CopyFrom([] {
    ::onnx::AttributeProto a;
    a.set_name("to");
    a.set_type(::onnx::AttributeProto::INT);
    a.set_i(::onnx::TensorProto::INT32);
    return a;
  }());
  EXPECT_TRUE(fails_with(load(b), "raw_data has 4 bytes, 5 packed 4-bit values need 3"));
}

TEST(EngineLoaderTest, HugeInitializerWithoutDataFailsWithoutAllocating) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {2}).output("y", DataType::kFloat32, {2});
  auto& w = b.initializer_proto();
  w.set_name("w");
  w.set_data_type(::onnx::TensorProto::FLOAT);
  w.add_dims(int64_t{1} << 40);
  b.node("Add", {"x", "w"}, {"y"}, "add");
  EXPECT_TRUE(fails_with(load(b), "float_data has 0 values"));

  ModelBuilder overflow;
  overflow.input("x", DataType::kFloat32, {2}).output("y", DataType::kFloat32, {2});
  auto& o = overflow.initializer_proto();
  o.set_name("w");
  o.set_data_type(::onnx::TensorProto::FLOAT);
  o.add_dims(int64_t{1} << 40);
  o.add_dims(int64_t{1} << 40);
  overflow.node("Add", {"x", "w"}, {"y"}, "add");
  EXPECT_TRUE(fails_with(load(overflow), "too many elements"));
}

TEST(EngineLoaderTest, AiOnnxDomainIsTheDefaultDomain) {
  ModelBuilder b;
  b.proto().mutable_opset_import(0)->set_domain("ai.onnx");
  b.input("x", DataType::kFloat32, {2}).output("y", DataType::kFloat32, {2});
  b.node("Relu", {"x"}, {"y"}).set_domain("ai.onnx");
  auto s = load(b);
  EXPECT_TRUE(s.ok()) << s.status().to_string();
}

// --- External data -------------------------------------------------------------------------

ModelBuilder external_model(const std::string& location, int64_t offset = 0) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {2}).output("y", DataType::kFloat32, {2});
  auto& w = b.initializer_proto();
  w.set_name("w");
  w.set_data_type(::onnx::TensorProto::FLOAT);
  w.add_dims(2);
  w.set_data_location(::onnx::TensorProto::EXTERNAL);
  auto add_entry = [&](const std::string& k, const std::string& v) {
    auto* e = w.add_external_data();
    e->set_key(k);
    e->set_value(v);
  };
  add_entry("location", location);
  add_entry("offset", std::to_string(offset));
  add_entry("length", "8");
  b.node("Add", {"x", "w"}, {"y"}, "add");
  return b;
}

void write_floats(const fs::path& path, std::vector<float> values, size_t pad = 0) {
  std::string bytes(pad, 'x');
  bytes.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(EngineLoaderTest, ExternalDataInsideTheFolderLoads) {
  TempDir dir;
  fs::create_directory(dir.path() / "weights");
  write_floats(dir.path() / "weights" / "w.bin", {100, 200}, /*pad=*/16);
  const std::string path = external_model("weights/w.bin", 16).save(dir.path());
  auto s = Session::create(path, {});
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  std::vector<Tensor> in = {Tensor::from_vector<float>({2}, F{1, 2})};
  auto out = (*s)->run(in);
  ASSERT_TRUE(out.ok());
  expect_float_tensor((*out)[0], {2}, {101, 202});
}

TEST(EngineLoaderTest, ExternalDataEscapingTheFolderIsRefused) {
  TempDir root;
  const fs::path model_dir = root.path() / "model";
  fs::create_directory(model_dir);
  write_floats(root.path() / "secret.bin", {1, 2});

  auto parent = Session::create(external_model("../secret.bin").save(model_dir), {});
  EXPECT_TRUE(fails_with(parent, "initializer \"w\""));
  EXPECT_TRUE(fails_with(parent, "\"../secret.bin\" is outside the model's folder"));

  const std::string abs = (root.path() / "secret.bin").string();
  EXPECT_TRUE(fails_with(Session::create(external_model(abs).save(model_dir), {}),
                         "is absolute; it must be relative to the model's folder"));

  auto sneaky = Session::create(external_model("sub/../../secret.bin").save(model_dir), {});
  EXPECT_TRUE(fails_with(sneaky, "is outside the model's folder"));

  fs::create_symlink(root.path() / "secret.bin", model_dir / "link.bin");
  EXPECT_TRUE(fails_with(Session::create(external_model("link.bin").save(model_dir), {}),
                         "\"link.bin\" is outside the model's folder"));
}

TEST(EngineLoaderTest, ExternalDataRangeIsChecked) {
  TempDir dir;
  write_floats(dir.path() / "w.bin", {1, 2});
  EXPECT_TRUE(fails_with(Session::create(external_model("w.bin", 4).save(dir.path()), {}),
                         "past the end of the 8-byte file"));
  EXPECT_TRUE(fails_with(Session::create(external_model("missing.bin").save(dir.path()), {}),
                         "does not exist"));
}

}  // namespace
}  // namespace modelhost::engine::testing
