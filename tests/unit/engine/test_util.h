// Test helpers for the engine: build ONNX models in C++, save them to a temporary folder and load
// them through Session::create, the same way a served model is loaded.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/exec/session.h"
#include "engine/ir/tensor.h"
#include "onnx/onnx.pb.h"

namespace modelhost::engine::testing {

// A fresh folder under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

int32_t onnx_type(DataType dtype);
// A TensorProto holding `t` in raw_data.
::onnx::TensorProto tensor_proto(const std::string& name, const Tensor& t);

void set_attr(::onnx::NodeProto& node, const std::string& name, int64_t v);
void set_attr(::onnx::NodeProto& node, const std::string& name, float v);
void set_attr(::onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& v);
void set_attr(::onnx::NodeProto& node, const std::string& name, const std::vector<float>& v);
void set_attr(::onnx::NodeProto& node, const std::string& name, const Tensor& v);
void set_attr(::onnx::NodeProto& node, const std::string& name, const std::string& v);

class ModelBuilder {
 public:
  explicit ModelBuilder(int64_t opset = 13);

  // `dims`: -1 becomes a symbolic dim ("N"); no dims at all with has_shape=false leaves the
  // shape out entirely.
  ModelBuilder& input(const std::string& name, DataType dtype, std::vector<int64_t> dims,
                      bool has_shape = true);
  ModelBuilder& output(const std::string& name, DataType dtype, std::vector<int64_t> dims,
                       bool has_shape = true);
  ModelBuilder& initializer(const std::string& name, const Tensor& t);
  ::onnx::TensorProto& initializer_proto();
  ::onnx::NodeProto& node(const std::string& op_type, std::vector<std::string> inputs,
                          std::vector<std::string> outputs, const std::string& name = "");

  ::onnx::ModelProto& proto() { return model_; }
  // Writes the model as `dir/file_name` and returns its path.
  std::string save(const std::filesystem::path& dir,
                   const std::string& file_name = "model.onnx") const;

 private:
  ::onnx::ModelProto model_;
};

// Saves `builder` into a fresh temp dir and loads it.
Result<std::unique_ptr<Session>> load(const ModelBuilder& builder, int intra_op_threads = 1);

// One op, run through a whole Session: each input becomes a graph input with its exact shape (or
// an initializer), the node's outputs the graph outputs.
class OpCase {
 public:
  explicit OpCase(std::string op_type, int64_t opset = 13);
  OpCase& input(const Tensor& t);
  // An input that is a model initializer rather than a graph input.
  OpCase& weight(const Tensor& t);
  // An omitted optional input ("").
  OpCase& omitted();
  OpCase& outputs(int n);
  OpCase& threads(int n);
  template <typename T>
  OpCase& attr(const std::string& name, T v) {
    attrs_.push_back([name, v](::onnx::NodeProto& n) { set_attr(n, name, v); });
    return *this;
  }

  Result<std::vector<Tensor>> run() const;
  // run() that must succeed and produce one output.
  Tensor run_one() const;

 private:
  struct In {
    Tensor t;
    bool weight = false;
    bool omitted = false;
  };
  std::string op_type_;
  int64_t opset_;
  std::vector<In> inputs_;
  int num_outputs_ = 1;
  int threads_ = 1;
  std::vector<std::function<void(::onnx::NodeProto&)>> attrs_;
};

void expect_float_tensor(const Tensor& t, const Shape& shape, const std::vector<float>& values,
                         float tol = 1e-5f);
void expect_int64_tensor(const Tensor& t, const Shape& shape, const std::vector<int64_t>& values);

}  // namespace modelhost::engine::testing
