// Where the planner puts each node with the CUDA provider's kernel table, checked without a GPU:
// a plan-only provider has the real table (register_ops: the same factories and type rules) but
// keeps "device" tensors in host memory and is never run. This tells, on any machine with the
// toolkit, which nodes of the served models would fall back to the CPU and how many copies a run
// makes; the numbers on a GPU come from tests/unit/cuda/provider_test.cc and scripts/gpu-check.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "engine/cuda/provider_impl.h"
#include "engine/exec/device.h"
#include "engine/test_util.h"

namespace modelhost::engine::cuda {
namespace {

using engine::testing::ModelBuilder;
using engine::testing::set_attr;
using engine::testing::TempDir;

class PlanOnlyProvider final : public exec::DeviceProvider {
 public:
  PlanOnlyProvider() { register_ops(kernels_); }
  const std::string& name() const override { return name_; }
  const exec::KernelRegistry& kernels() const override { return kernels_; }
  Result<Tensor> upload(const Tensor& host) const override {
    return Tensor::device_view(host.dtype(), host.shape(), host.raw_data(),
                               std::make_shared<Tensor>(host));
  }
  std::unique_ptr<exec::Kernel> copy_to_device() const override { return nullptr; }
  std::unique_ptr<exec::Kernel> copy_to_host() const override { return nullptr; }
  Result<std::unique_ptr<exec::DeviceRun>> begin_run() const override {
    return unimplemented("plan only");
  }
  Status end_run(std::unique_ptr<exec::DeviceRun>) const override { return Status::ok_status(); }
  Status synchronize(exec::DeviceRun&) const override { return Status::ok_status(); }
  bool supports_graphs() const override { return true; }  // planned, never captured here

 private:
  std::string name_ = "cuda (plan only)";
  exec::KernelRegistry kernels_;
};

Result<ModelMetadata::Placement> plan(const std::string& path) {
  SessionOptions options;
  options.device = std::make_shared<PlanOnlyProvider>();
  ASSIGN_OR_RETURN(auto session, Session::create(path, options));
  return session->metadata().placement;
}

std::string cpu_nodes(const ModelMetadata::Placement& p) {
  std::string s;
  for (const auto& n : p.cpu_nodes) s += "\n  " + n.node + ": " + n.reason;
  return s;
}

TEST(CudaPlacementTest, ConvolutionNetworkRunsWhollyOnTheDevice) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {-1, 8, 12, 12}).output("y", DataType::kFloat32, {-1, 10});
  b.initializer("w1", Tensor::allocate(DataType::kFloat32, {8, 8, 3, 3}));
  b.initializer("b1", Tensor::allocate(DataType::kFloat32, {8}));
  b.initializer("fc", Tensor::allocate(DataType::kFloat32, {10, 8}));
  set_attr(b.node("Conv", {"x", "w1", "b1"}, {"c1"}), "pads", std::vector<int64_t>{1, 1, 1, 1});
  b.node("Add", {"c1", "x"}, {"s"});
  b.node("Relu", {"s"}, {"r"});
  auto& mp = b.node("MaxPool", {"r"}, {"p"});
  set_attr(mp, "kernel_shape", std::vector<int64_t>{2, 2});
  set_attr(mp, "strides", std::vector<int64_t>{2, 2});
  b.node("GlobalAveragePool", {"p"}, {"g"});
  b.node("Flatten", {"g"}, {"f"});
  set_attr(b.node("Gemm", {"f", "fc"}, {"y"}), "transB", int64_t{1});
  TempDir dir;
  auto p = plan(b.save(dir.path()));
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_TRUE(p->cpu_nodes.empty()) << cpu_nodes(*p);
  EXPECT_EQ(p->copies.size(), 2u);
  EXPECT_EQ(p->uploaded_weights, 3);
}

TEST(CudaPlacementTest, SliceOfActivationsRunsOnTheDeviceAndShapeSlicesStayOnTheCpu) {
  ModelBuilder b;
  // An open batch dim, so that Shape is not folded into a constant at load time.
  b.input("x", DataType::kFloat32, {-1, 8}).output("y", DataType::kFloat32, {-1, 8});
  b.output("rows", DataType::kInt64, {1});
  b.initializer("starts", Tensor::from_vector<int64_t>({1}, {0}));
  b.initializer("ends", Tensor::from_vector<int64_t>({1}, {1}));
  b.node("Relu", {"x"}, {"r"});
  b.node("Shape", {"r"}, {"dims"});
  b.node("Slice", {"dims", "starts", "ends"}, {"rows"}, "shape_slice");  // int64 shape arithmetic
  b.node("Slice", {"r", "starts", "ends"}, {"first"}, "activation_slice");
  b.node("Expand", {"first", "dims"}, {"y"});
  TempDir dir;
  auto p = plan(b.save(dir.path()));
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  std::map<std::string, std::string> reasons;
  for (const auto& n : p->cpu_nodes) reasons[n.node.substr(0, n.node.find(" (op"))] = n.reason;
  EXPECT_EQ(reasons.count("node \"activation_slice\""), 0u) << cpu_nodes(*p);
  EXPECT_EQ(reasons["node \"shape_slice\""], "computes on weights and shapes only");
  EXPECT_EQ(p->device_nodes, 3);  // Relu, the activation's Slice, Expand
  EXPECT_EQ(p->copies.size(), 2u) << "x in, y out; the shapes stay on the host";
}

TEST(CudaPlacementTest, ResizeModesTheKernelHasRunOnTheDeviceOthersOnTheCpu) {
  ModelBuilder b(13);
  b.input("x", DataType::kFloat32, {-1, 3, 4, 4});
  b.output("a", DataType::kFloat32, {-1, 3, 8, 8}).output("c", DataType::kFloat32, {-1, 3, 8, 8});
  b.initializer("scales", Tensor::from_vector<float>({4}, {1.f, 1.f, 2.f, 2.f}));
  auto& lin = b.node("Resize", {"x", "", "scales"}, {"a"}, "bilinear");
  set_attr(lin, "mode", std::string("linear"));
  auto& cubic = b.node("Resize", {"x", "", "scales"}, {"c"}, "bicubic");
  set_attr(cubic, "mode", std::string("cubic"));
  TempDir dir;
  auto p = plan(b.save(dir.path()));
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  ASSERT_EQ(p->cpu_nodes.size(), 1u) << cpu_nodes(*p);
  EXPECT_NE(p->cpu_nodes[0].node.find("bicubic"), std::string::npos);
  EXPECT_NE(p->cpu_nodes[0].reason.find("mode cubic"), std::string::npos) << p->cpu_nodes[0].reason;
}

TEST(CudaPlacementTest, WhatTheDeviceDoesNotTakeStaysOnTheCpuWithTheReason) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {2, 8}).input("i", DataType::kInt64, {2, 8});
  b.output("y", DataType::kFloat32, {2, 8}).output("j", DataType::kInt64, {2, 8});
  b.initializer("w", Tensor::allocate(DataType::kFloat32, {8, 8}));
  b.node("Cos", {"x"}, {"c"}, "cosine");                                // no CUDA kernel
  set_attr(b.node("Gemm", {"c", "w"}, {"y"}, "scaled"), "alpha", 2.f);  // refused attribute
  b.node("Add", {"i", "i"}, {"j"}, "int_add");                          // refused dtype
  TempDir dir;
  auto p = plan(b.save(dir.path()));
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  std::map<std::string, std::string> reasons;
  for (const auto& n : p->cpu_nodes) reasons[n.node.substr(0, n.node.find(" (op"))] = n.reason;
  EXPECT_EQ(reasons["node \"cosine\""], "no device kernel for this op");
  EXPECT_EQ(reasons["node \"scaled\""], "Gemm on the GPU needs alpha = beta = 1 and transA = 0");
  EXPECT_NE(reasons["node \"int_add\""].find("int64"), std::string::npos) << cpu_nodes(*p);
  EXPECT_TRUE(p->copies.empty()) << "nothing ran on the device, so nothing moved";
}

TEST(CudaBroadcastPatternTest, CoversTheServedModelsBroadcasts) {
  struct Case {
    Shape big, small;
    bool ok;
    int64_t period, repeat;
  };
  const Case cases[] = {
      {{2, 3, 4}, {2, 3, 4}, true, 24, 1},         // same shape
      {{2, 1, 4}, {2, 1, 4}, true, 8, 1},          // same shape with a 1 inside
      {{8, 6, 16}, {1, 6, 16}, true, 96, 1},       // position embeddings
      {{8, 6, 16}, {16}, true, 16, 1},             // a bias row
      {{2, 8, 5, 5}, {2, 8, 1, 1}, true, 16, 25},  // squeeze-and-excitation scale
      {{2, 8, 5, 5}, {8, 1, 1}, true, 8, 25},      // per-channel
      {{2, 6, 16}, {1, 6, 1}, true, 6, 16},        // per-position
      {{4, 4}, {}, true, 1, 1},                    // a scalar
      {{2, 3, 4}, {2, 1, 4}, false, 0, 0},         // two runs
      {{2, 3}, {3, 3}, false, 0, 0},               // a dim that does not match
  };
  for (const Case& c : cases) {
    int64_t period = 0, repeat = 0;
    const bool ok = broadcast_pattern(c.big, c.small, period, repeat);
    EXPECT_EQ(ok, c.ok) << shape_to_string(c.big) << " <- " << shape_to_string(c.small);
    if (ok && c.ok) {
      EXPECT_EQ(period, c.period) << shape_to_string(c.big) << " <- " << shape_to_string(c.small);
      EXPECT_EQ(repeat, c.repeat) << shape_to_string(c.big) << " <- " << shape_to_string(c.small);
    }
  }
}

// The served models, when their files are at hand (MODELHOST_FIXTURES, made by
// scripts/fixtures): every compute node on the device, only shape arithmetic on the CPU, and a
// plan that CUDA Graphs can capture.
TEST(CudaPlacementTest, ServedModelsKeepOnlyShapeArithmeticOnTheCpu) {
  const char* dir = std::getenv("MODELHOST_FIXTURES");
  if (dir == nullptr) GTEST_SKIP() << "MODELHOST_FIXTURES is not set (scripts/fixtures makes them)";
  // Op types allowed on the CPU: int64 shape arithmetic, and BERT's attention-mask preparation
  // (a [B, 1, 1, S] Cast / Sub / Mul on int64 and scalars, copied in once per run).
  const std::set<std::string> shape_ops = {"Shape", "Gather", "Unsqueeze", "Concat", "Cast",
                                           "Slice", "Sub",    "Mul",       "Expand", "Squeeze"};
  for (const char* model :
       {"resnet50", "mobilenet_v2", "efficientnet_b0", "bert_base", "minilm_l6"}) {
    const std::string path = std::string(dir) + "/" + model + ".onnx";
    if (!std::filesystem::exists(path)) continue;
    auto p = plan(path);
    ASSERT_TRUE(p.ok()) << model << ": " << p.status().to_string();
    for (const auto& n : p->cpu_nodes) {
      EXPECT_TRUE(shape_ops.count(n.op_type)) << model << ": " << n.node << ": " << n.reason;
    }
    std::string copies;
    for (const auto& c : p->copies) copies += " " + c.value + (c.to_device ? ">dev" : ">host");
    // In: the images, or the token inputs, position ids and attention mask; out: the outputs.
    EXPECT_LE(p->copies.size(), 7u) << model << ":" << copies;
    EXPECT_EQ(p->graphs, "captured once per input shapes, then replayed") << model;
    std::printf("%s: %lld nodes on the device, %zu on the CPU, %zu copies per run; graphs %s\n",
                model, static_cast<long long>(p->device_nodes), p->cpu_nodes.size(),
                p->copies.size(), p->graphs.c_str());
  }
}

}  // namespace
}  // namespace modelhost::engine::cuda
