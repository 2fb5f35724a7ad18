#include "engine/test_util.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>

#include "engine/ir/narrow_types.h"

namespace modelhost::engine::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "mh-engine-test-XXXXXX").string();
  char* p = ::mkdtemp(tmpl.data());
  if (p == nullptr) std::abort();
  path_ = p;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

int32_t onnx_type(DataType dtype) { return dtype_onnx_code(dtype); }

::onnx::TensorProto tensor_proto(const std::string& name, const Tensor& t) {
  ::onnx::TensorProto p;
  p.set_name(name);
  p.set_data_type(onnx_type(t.dtype()));
  for (int64_t d : t.shape()) p.add_dims(d);
  if (dtype_is_4bit(t.dtype())) {  // two to a byte in files
    std::string packed(static_cast<size_t>(t.num_elements() + 1) / 2, '\0');
    pack_4bit({t.data<uint8_t>(), t.byte_size()}, reinterpret_cast<uint8_t*>(packed.data()));
    p.set_raw_data(packed);
  } else {
    p.set_raw_data(std::string(static_cast<const char*>(t.raw_data()), t.byte_size()));
  }
  return p;
}

namespace {
::onnx::AttributeProto& add_attr(::onnx::NodeProto& node, const std::string& name,
                                 ::onnx::AttributeProto::AttributeType type) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(type);
  return *a;
}

void set_value_info(::onnx::ValueInfoProto* vi, const std::string& name, DataType dtype,
                    const std::vector<int64_t>& dims, bool has_shape) {
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx_type(dtype));
  if (!has_shape) return;
  auto* shape = tt->mutable_shape();
  for (int64_t d : dims) {
    auto* dim = shape->add_dim();
    if (d >= 0)
      dim->set_dim_value(d);
    else
      dim->set_dim_param("N");
  }
}
}  // namespace

void set_attr(::onnx::NodeProto& node, const std::string& name, int64_t v) {
  add_attr(node, name, ::onnx::AttributeProto::INT).set_i(v);
}
void set_attr(::onnx::NodeProto& node, const std::string& name, float v) {
  add_attr(node, name, ::onnx::AttributeProto::FLOAT).set_f(v);
}
void set_attr(::onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& v) {
  auto& a = add_attr(node, name, ::onnx::AttributeProto::INTS);
  for (int64_t x : v) a.add_ints(x);
}
void set_attr(::onnx::NodeProto& node, const std::string& name, const std::vector<float>& v) {
  auto& a = add_attr(node, name, ::onnx::AttributeProto::FLOATS);
  for (float x : v) a.add_floats(x);
}
void set_attr(::onnx::NodeProto& node, const std::string& name, const Tensor& v) {
  *add_attr(node, name, ::onnx::AttributeProto::TENSOR).mutable_t() = tensor_proto("", v);
}
void set_attr(::onnx::NodeProto& node, const std::string& name, const std::string& v) {
  add_attr(node, name, ::onnx::AttributeProto::STRING).set_s(v);
}

ModelBuilder::ModelBuilder(int64_t opset) {
  model_.set_ir_version(8);
  model_.set_producer_name("modelhost-tests");
  auto* op = model_.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  model_.mutable_graph()->set_name("test");
}

ModelBuilder& ModelBuilder::input(const std::string& name, DataType dtype,
                                  std::vector<int64_t> dims, bool has_shape) {
  set_value_info(model_.mutable_graph()->add_input(), name, dtype, dims, has_shape);
  return *this;
}

ModelBuilder& ModelBuilder::output(const std::string& name, DataType dtype,
                                   std::vector<int64_t> dims, bool has_shape) {
  set_value_info(model_.mutable_graph()->add_output(), name, dtype, dims, has_shape);
  return *this;
}

ModelBuilder& ModelBuilder::initializer(const std::string& name, const Tensor& t) {
  *model_.mutable_graph()->add_initializer() = tensor_proto(name, t);
  return *this;
}

::onnx::TensorProto& ModelBuilder::initializer_proto() {
  return *model_.mutable_graph()->add_initializer();
}

::onnx::NodeProto& ModelBuilder::node(const std::string& op_type, std::vector<std::string> inputs,
                                      std::vector<std::string> outputs, const std::string& name) {
  auto* n = model_.mutable_graph()->add_node();
  n->set_op_type(op_type);
  n->set_name(name);
  for (auto& i : inputs) n->add_input(i);
  for (auto& o : outputs) n->add_output(o);
  return *n;
}

std::string ModelBuilder::save(const fs::path& dir, const std::string& file_name) const {
  const fs::path path = dir / file_name;
  std::ofstream out(path, std::ios::binary);
  model_.SerializeToOstream(&out);
  return path.string();
}

Result<std::unique_ptr<Session>> load(const ModelBuilder& builder, int intra_op_threads) {
  TempDir dir;
  SessionOptions options;
  options.intra_op_threads = intra_op_threads;
  return Session::create(builder.save(dir.path()), options);
}

OpCase::OpCase(std::string op_type, int64_t opset) : op_type_(std::move(op_type)), opset_(opset) {}

OpCase& OpCase::input(const Tensor& t) {
  inputs_.push_back({t, false, false});
  return *this;
}
OpCase& OpCase::weight(const Tensor& t) {
  inputs_.push_back({t, true, false});
  return *this;
}
OpCase& OpCase::omitted() {
  inputs_.push_back({Tensor(), false, true});
  return *this;
}
OpCase& OpCase::outputs(int n) {
  num_outputs_ = n;
  return *this;
}
OpCase& OpCase::threads(int n) {
  threads_ = n;
  return *this;
}

Result<std::vector<Tensor>> OpCase::run() const {
  ModelBuilder b(opset_);
  std::vector<std::string> in_names, out_names;
  std::vector<Tensor> feeds;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const In& in = inputs_[i];
    if (in.omitted) {
      in_names.push_back("");
      continue;
    }
    const std::string name = "in" + std::to_string(i);
    in_names.push_back(name);
    if (in.weight) {
      b.initializer(name, in.t);
    } else {
      b.input(name, in.t.dtype(), in.t.shape());
      feeds.push_back(in.t);
    }
  }
  for (int i = 0; i < num_outputs_; ++i) {
    out_names.push_back("out" + std::to_string(i));
    // Output dtype and shape are not declared precisely here; the signature does not check them.
    b.output(out_names.back(), DataType::kFloat32, {}, /*has_shape=*/false);
  }
  auto& node = b.node(op_type_, in_names, out_names, "op");
  for (const auto& f : attrs_) f(node);
  ASSIGN_OR_RETURN(auto session, load(b, threads_));
  return session->run(feeds);
}

Tensor OpCase::run_one() const {
  auto r = run();
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  if (!r.ok() || r->empty()) return Tensor();
  return (*r)[0];
}

void expect_float_tensor(const Tensor& t, const Shape& shape, const std::vector<float>& values,
                         float tol) {
  ASSERT_EQ(t.dtype(), DataType::kFloat32);
  ASSERT_EQ(t.shape(), shape);
  ASSERT_EQ(t.num_elements(), static_cast<int64_t>(values.size()));
  const float* p = t.data<float>();
  for (size_t i = 0; i < values.size(); ++i) EXPECT_NEAR(p[i], values[i], tol) << "at " << i;
}

void expect_int64_tensor(const Tensor& t, const Shape& shape, const std::vector<int64_t>& values) {
  ASSERT_EQ(t.dtype(), DataType::kInt64);
  ASSERT_EQ(t.shape(), shape);
  EXPECT_EQ(t.to_vector<int64_t>(), values);
}

}  // namespace modelhost::engine::testing
