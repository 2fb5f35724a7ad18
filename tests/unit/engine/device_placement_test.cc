// The planner's placement of nodes on a device (exec/device.h), tested with a stand-in device
// that runs on the CPU: its "device memory" is host memory with every byte scrambled, so a CPU
// kernel handed a device tensor by mistake (or a device kernel a host one) computes garbage and
// the comparison with the plain CPU session fails. Copies, uploads, the report `perf` prints,
// per-run device state and device-flagged errors are checked against it. (The CUDA provider
// itself is tested on a GPU: tests/unit/cuda.)
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <map>

#include "engine/exec/device.h"
#include "engine/exec/kernel_registry.h"
#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

constexpr uint8_t kScramble = 0xA5;

// Host <-> "device": the same bytes, each XORed with kScramble.
Tensor scrambled_copy(const Tensor& src, bool to_device) {
  Tensor t = Tensor::allocate(src.dtype(), src.shape());
  const auto* in = static_cast<const uint8_t*>(src.raw_data());
  auto* out = static_cast<uint8_t*>(t.mutable_raw_data());
  for (size_t i = 0; i < src.byte_size(); ++i) out[i] = in[i] ^ kScramble;
  if (!to_device) return t;
  return Tensor::device_view(t.dtype(), t.shape(), t.raw_data(), std::make_shared<Tensor>(t));
}

// The stand-in for a CUDA graph: while a run is captured, every device operation is also
// recorded with the buffers it read and wrote (as a graph keeps pointers); replay redoes them.
struct Recording final : exec::DeviceGraph {
  std::vector<std::function<void()>> ops;
};

struct ScrambledRun final : exec::DeviceRun {
  bool flagged = false;
  Recording* recording = nullptr;  // set while capturing
};

// Does `op` now, or, while the run is captured, only records it (a graph executes nothing while it
// is captured; the executor must replay it).
void device_op(const exec::KernelContext& ctx, std::function<void()> op) {
  auto* run = static_cast<ScrambledRun*>(ctx.device);
  if (run != nullptr && run->recording != nullptr) {
    run->recording->ops.push_back(std::move(op));
  } else {
    op();
  }
}

void scramble(const void* src, void* dst, size_t bytes) {
  const auto* in = static_cast<const uint8_t*>(src);
  auto* out = static_cast<uint8_t*>(dst);
  for (size_t i = 0; i < bytes; ++i) out[i] = in[i] ^ kScramble;
}

class CopyKernel final : public exec::Kernel {
 public:
  explicit CopyKernel(bool to_device) : to_device_(to_device) {}
  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    if (inputs[0]->on_device() == to_device_) return internal_error("copy from the wrong side");
    outputs[0] = scrambled_copy(*inputs[0], to_device_);
    if (to_device_) {
      const void* src = inputs[0]->raw_data();
      void* dst = outputs[0].mutable_raw_data();
      const size_t bytes = inputs[0]->byte_size();
      device_op(ctx, [src, dst, bytes] { scramble(src, dst, bytes); });
    }
    return Status::ok_status();
  }

 private:
  bool to_device_;
};

// A float32 device kernel: decodes its inputs, applies fn elementwise, encodes the result.
// "Neg" also flags the run, as a kernel that finds bad data on the device would.
class DeviceKernel final : public exec::Kernel {
 public:
  using Fn = float (*)(float, float);
  DeviceKernel(Fn fn, bool flags) : fn_(fn), flags_(flags) {}
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    return exec::float32_only(inputs, outputs, "the scrambled device");
  }
  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    if (ctx.device == nullptr) return internal_error("device kernel run without a device run");
    for (const Tensor* t : inputs) {
      if (!t->on_device()) return internal_error("device kernel given a host tensor");
    }
    outputs[0] = scrambled_copy(Tensor::allocate(DataType::kFloat32, inputs[0]->shape()), true);
    const Tensor a = *inputs[0];
    const Tensor b = inputs.size() > 1 ? *inputs[1] : Tensor();
    const Tensor y = outputs[0];
    const Fn fn = fn_;
    device_op(ctx, [a, b, y, fn] {  // the buffers as a graph would keep them
      const Tensor ha = scrambled_copy(a, false);
      const Tensor hb = b.defined() ? scrambled_copy(b, false) : Tensor();
      Tensor hy = Tensor::allocate(DataType::kFloat32, a.shape());
      for (int64_t i = 0; i < hy.num_elements(); ++i) {
        const float bv = hb.defined() ? hb.data<float>()[i % hb.num_elements()] : 0.f;
        hy.mutable_data<float>()[i] = fn(ha.data<float>()[i], bv);
      }
      scramble(hy.raw_data(), const_cast<void*>(y.raw_data()), hy.byte_size());
    });
    if (flags_) static_cast<ScrambledRun*>(ctx.device)->flagged = true;
    return Status::ok_status();
  }

 private:
  Fn fn_;
  bool flags_;
};

class ScrambledDevice final : public exec::DeviceProvider {
 public:
  explicit ScrambledDevice(bool graphs = false) : graphs_(graphs) {
    auto add = [this](const char* op, DeviceKernel::Fn fn, bool flags) {
      kernels_.add(
          exec::KernelDef{"", op, 1, exec::kMaxOpset,
                          [fn, flags](const ir::Node&) -> Result<std::unique_ptr<exec::Kernel>> {
                            return exec::make_kernel<DeviceKernel>(fn, flags);
                          }});
    };
    add(
        "Relu", [](float a, float) { return a > 0 ? a : 0.f; }, false);
    add(
        "Add", [](float a, float b) { return a + b; }, false);
    add(
        "Neg", [](float a, float) { return -a; }, true);
  }
  const std::string& name() const override { return name_; }
  const exec::KernelRegistry& kernels() const override { return kernels_; }
  Result<Tensor> upload(const Tensor& host) const override {
    ++uploads;
    return scrambled_copy(host, true);
  }
  std::unique_ptr<exec::Kernel> copy_to_device() const override {
    return std::make_unique<CopyKernel>(true);
  }
  std::unique_ptr<exec::Kernel> copy_to_host() const override {
    return std::make_unique<CopyKernel>(false);
  }
  Result<std::unique_ptr<exec::DeviceRun>> begin_run() const override {
    ++begun;
    auto run = std::make_unique<ScrambledRun>();
    if (graphs_) run->graphs = &lane_graphs_;  // one "lane": runs are sequential in these tests
    return std::unique_ptr<exec::DeviceRun>(std::move(run));
  }
  bool supports_graphs() const override { return graphs_; }
  Result<std::unique_ptr<exec::DeviceGraph>> capture(
      exec::DeviceRun& run, const std::function<Status()>& work) const override {
    auto rec = std::make_unique<Recording>();
    auto& r = static_cast<ScrambledRun&>(run);
    r.recording = rec.get();
    Status st = work();
    r.recording = nullptr;
    if (!st.ok()) return st;
    ++captures;
    return std::unique_ptr<exec::DeviceGraph>(std::move(rec));
  }
  Status replay(exec::DeviceRun&, const exec::DeviceGraph& graph) const override {
    ++replays;
    for (const auto& op : static_cast<const Recording&>(graph).ops) op();
    return Status::ok_status();
  }
  Result<Tensor> pinned_copy(const Tensor& t) const override {
    Tensor copy = Tensor::allocate(t.dtype(), t.shape());
    if (t.byte_size() > 0) std::memcpy(copy.mutable_raw_data(), t.raw_data(), t.byte_size());
    return copy;
  }
  Status end_run(std::unique_ptr<exec::DeviceRun> run) const override {
    ++ended;
    if (static_cast<ScrambledRun&>(*run).flagged) {
      return invalid_argument("the device flagged bad data");
    }
    return Status::ok_status();
  }
  Status synchronize(exec::DeviceRun&) const override {
    ++syncs;
    return Status::ok_status();
  }

  mutable std::atomic<int> uploads{0}, begun{0}, ended{0}, syncs{0}, captures{0}, replays{0};

 private:
  bool graphs_;
  mutable std::map<std::string, exec::CapturedRun> lane_graphs_;
  std::string name_ = "scrambled:0";
  exec::KernelRegistry kernels_;
};

struct Loaded {
  std::unique_ptr<Session> cpu, device;
  std::shared_ptr<ScrambledDevice> provider;
};

Loaded load_both(const ModelBuilder& b, bool graphs = false) {
  TempDir dir;
  const std::string path = b.save(dir.path());
  Loaded l;
  l.provider = std::make_shared<ScrambledDevice>(graphs);
  SessionOptions options;
  auto cpu = Session::create(path, options);
  EXPECT_TRUE(cpu.ok()) << cpu.status().to_string();
  options.device = l.provider;
  auto dev = Session::create(path, options);
  EXPECT_TRUE(dev.ok()) << dev.status().to_string();
  if (cpu.ok()) l.cpu = std::move(cpu).value();
  if (dev.ok()) l.device = std::move(dev).value();
  return l;
}

void expect_same_outputs(const Loaded& l, const std::vector<Tensor>& inputs) {
  auto want = l.cpu->run(inputs);
  auto got = l.device->run(inputs);
  ASSERT_TRUE(want.ok()) << want.status().to_string();
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  ASSERT_EQ(want->size(), got->size());
  for (size_t i = 0; i < want->size(); ++i) {
    EXPECT_FALSE((*got)[i].on_device()) << "output " << i << " was left on the device";
    EXPECT_EQ((*got)[i].shape(), (*want)[i].shape());
    EXPECT_EQ((*got)[i].to_vector<float>(), (*want)[i].to_vector<float>()) << "output " << i;
  }
}

Tensor ramp(Shape shape) {
  Tensor t = Tensor::allocate(DataType::kFloat32, shape);
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    t.mutable_data<float>()[i] = static_cast<float>(i % 7) - 3.f;
  }
  return t;
}

TEST(DevicePlacementTest, WholeGraphOnTheDeviceCopiesOnlyAtTheEdges) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {2, 4}).output("y", DataType::kFloat32, {2, 4});
  b.initializer("w", ramp({4}));
  b.node("Relu", {"x"}, {"r"});
  b.node("Add", {"r", "w"}, {"y"});
  Loaded l = load_both(b);
  ASSERT_NE(l.device, nullptr);
  const auto& p = l.device->metadata().placement;
  EXPECT_EQ(p.device, "scrambled:0");
  EXPECT_EQ(p.device_nodes, 2);
  EXPECT_TRUE(p.cpu_nodes.empty());
  ASSERT_EQ(p.copies.size(), 2u);
  EXPECT_EQ(p.copies[0].value, "x");
  EXPECT_TRUE(p.copies[0].to_device);
  EXPECT_EQ(p.copies[1].value, "y");
  EXPECT_FALSE(p.copies[1].to_device);
  EXPECT_EQ(p.uploaded_weights, 1);
  EXPECT_EQ(p.uploaded_bytes, 16);
  for (int i = 0; i < 3; ++i) expect_same_outputs(l, {ramp({2, 4})});
  EXPECT_EQ(l.provider->uploads.load(), 1) << "weights are uploaded once, at load time";
  EXPECT_EQ(l.provider->begun.load(), 3);
  EXPECT_EQ(l.provider->ended.load(), 3);
  EXPECT_EQ(l.device->memory_stats().device_weight_bytes, 16u);
}

TEST(DevicePlacementTest, NodeWithoutDeviceKernelRunsOnTheCpuBetweenCopies) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {8}).output("y", DataType::kFloat32, {8});
  b.node("Relu", {"x"}, {"r"});
  b.node("Sigmoid", {"r"}, {"s"}, "sig");
  b.node("Relu", {"s"}, {"y"});
  Loaded l = load_both(b);
  ASSERT_NE(l.device, nullptr);
  const auto& p = l.device->metadata().placement;
  EXPECT_EQ(p.device_nodes, 2);
  ASSERT_EQ(p.cpu_nodes.size(), 1u);
  EXPECT_NE(p.cpu_nodes[0].node.find("\"sig\""), std::string::npos) << p.cpu_nodes[0].node;
  EXPECT_EQ(p.cpu_nodes[0].reason, "no device kernel for this op");
  ASSERT_EQ(p.copies.size(), 4u);  // x in, r out, s in, y out
  EXPECT_EQ(p.copies[1].value, "r");
  EXPECT_FALSE(p.copies[1].to_device);
  EXPECT_EQ(p.copies[2].value, "s");
  EXPECT_TRUE(p.copies[2].to_device);
  expect_same_outputs(l, {ramp({8})});
}

TEST(DevicePlacementTest, ValueReadTwiceOnTheOtherSideIsCopiedOnce) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {8});
  b.output("a", DataType::kFloat32, {8}).output("c", DataType::kFloat32, {8});
  b.node("Sigmoid", {"x"}, {"s"});   // CPU
  b.node("Relu", {"s"}, {"a"});      // device: copies s
  b.node("Add", {"s", "s"}, {"c"});  // device: the same copy of s
  Loaded l = load_both(b);
  ASSERT_NE(l.device, nullptr);
  const auto& p = l.device->metadata().placement;
  ASSERT_EQ(p.copies.size(), 3u);  // s in; a, c out
  EXPECT_EQ(p.copies[0].value, "s");
  expect_same_outputs(l, {ramp({8})});
}

TEST(DevicePlacementTest, ShapeOpsReadDeviceTensorsWithoutCopies) {
  // Reshape (a view) keeps its input on the device; Shape reads only dims.
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {2, 6});
  b.output("y", DataType::kFloat32, {3, 4}).output("dims", DataType::kInt64, {2});
  b.initializer("to", Tensor::from_vector<int64_t>({2}, {3, 4}));
  b.node("Relu", {"x"}, {"r"});
  b.node("Reshape", {"r", "to"}, {"v"});
  b.node("Relu", {"v"}, {"y"});
  b.node("Shape", {"r"}, {"dims"}, "dims_of_r");
  Loaded l = load_both(b);
  ASSERT_NE(l.device, nullptr);
  const auto& p = l.device->metadata().placement;
  EXPECT_EQ(p.device_nodes, 3);  // Relu, Reshape (a view of a device tensor), Relu
  ASSERT_EQ(p.cpu_nodes.size(), 1u);
  EXPECT_EQ(p.cpu_nodes[0].reason, "reads only shapes (no copy)");
  ASSERT_EQ(p.copies.size(), 2u) << "only x in and y out";
  EXPECT_EQ(p.uploaded_weights, 0) << "Reshape's shape stays on the host";
  const std::vector<Tensor> in = {ramp({2, 6})};
  auto want = l.cpu->run(in);
  auto got = l.device->run(in);
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_EQ((*got)[0].to_vector<float>(), (*want)[0].to_vector<float>());
  EXPECT_EQ((*got)[1].to_vector<int64_t>(), (std::vector<int64_t>{2, 6}));
}

TEST(DevicePlacementTest, DtypeTheDeviceRefusesRunsOnTheCpuWithTheReason) {
  ModelBuilder b;
  b.input("x", DataType::kInt64, {4}).output("y", DataType::kInt64, {4});
  b.node("Add", {"x", "x"}, {"y"}, "int_add");
  Loaded l = load_both(b);
  ASSERT_NE(l.device, nullptr);
  const auto& p = l.device->metadata().placement;
  EXPECT_EQ(p.device_nodes, 0);
  ASSERT_EQ(p.cpu_nodes.size(), 1u);
  EXPECT_NE(p.cpu_nodes[0].reason.find("int64"), std::string::npos) << p.cpu_nodes[0].reason;
  EXPECT_TRUE(p.copies.empty());
  const std::vector<Tensor> in = {Tensor::from_vector<int64_t>({4}, {1, 2, 3, 4})};
  auto got = l.device->run(in);
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_EQ((*got)[0].to_vector<int64_t>(), (std::vector<int64_t>{2, 4, 6, 8}));
}

TEST(DevicePlacementTest, ErrorFlaggedOnTheDeviceFailsTheRun) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {4}).output("y", DataType::kFloat32, {4});
  b.node("Neg", {"x"}, {"y"});
  Loaded l = load_both(b);
  ASSERT_NE(l.device, nullptr);
  const std::vector<Tensor> in = {ramp({4})};
  auto got = l.device->run(in);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "the device flagged bad data");
  EXPECT_EQ(l.provider->ended.load(), 1) << "the run's device state is given back on error";
}

TEST(DevicePlacementTest, ProfileTimesCopiesAndWaitsForEachStep) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {4}).output("y", DataType::kFloat32, {4});
  b.node("Relu", {"x"}, {"y"});
  Loaded l = load_both(b);
  ASSERT_NE(l.device, nullptr);
  OpProfile profile;
  const std::vector<Tensor> in = {ramp({4})};
  auto got = l.device->run_profiled(in, profile);
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_EQ(profile.by_op_type["CopyToDevice"].calls, 1);
  EXPECT_EQ(profile.by_op_type["Relu"].calls, 1);
  EXPECT_EQ(profile.by_op_type["CopyToHost"].calls, 1);
  EXPECT_EQ(l.provider->syncs.load(), 3) << "one wait per step when profiling";
}

TEST(DevicePlacementTest, CpuSessionHasNoPlacementReport) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {4}).output("y", DataType::kFloat32, {4});
  b.node("Relu", {"x"}, {"y"});
  Loaded l = load_both(b);
  ASSERT_NE(l.cpu, nullptr);
  EXPECT_TRUE(l.cpu->metadata().placement.device.empty());
  EXPECT_TRUE(l.cpu->metadata().placement.copies.empty());
}

TEST(DeviceGraphTest, RunsAreCapturedOnceAndReplayedWithNewInputs) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {-1, 4}).output("y", DataType::kFloat32, {-1, 4});
  b.initializer("w", ramp({4}));
  b.node("Relu", {"x"}, {"r"});
  b.node("Add", {"r", "w"}, {"y"});
  Loaded l = load_both(b, /*graphs=*/true);
  ASSERT_NE(l.device, nullptr);
  EXPECT_EQ(l.device->metadata().placement.graphs, "captured once per input shapes, then replayed");
  for (int i = 0; i < 4; ++i) {
    Tensor x = ramp({2, 4});
    for (int64_t j = 0; j < x.num_elements(); ++j)
      x.mutable_data<float>()[j] *= static_cast<float>(i + 1);
    expect_same_outputs(l, {x});
  }
  EXPECT_EQ(l.provider->captures.load(), 1) << "captured on the second run of the shape";
  EXPECT_EQ(l.provider->replays.load(), 3) << "runs 2 (after its capture), 3 and 4";
  expect_same_outputs(l, {ramp({3, 4})});  // a new shape: an ordinary run first
  expect_same_outputs(l, {ramp({3, 4})});  // then its own capture
  EXPECT_EQ(l.provider->captures.load(), 2);
  EXPECT_EQ(l.provider->replays.load(), 4);
}

TEST(DeviceGraphTest, CapturedShapesAreCapped) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {-1, 2}).output("y", DataType::kFloat32, {-1, 2});
  b.node("Relu", {"x"}, {"y"});
  Loaded l = load_both(b, true);
  ASSERT_NE(l.device, nullptr);
  const int shapes = static_cast<int>(exec::kMaxCapturedShapes) + 6;
  for (int rows = 1; rows <= shapes; ++rows) {
    for (int i = 0; i < 2; ++i) expect_same_outputs(l, {ramp({rows, 2})});
  }
  EXPECT_EQ(l.provider->captures.load(), static_cast<int>(exec::kMaxCapturedShapes));
}

TEST(DeviceGraphTest, ShapeArithmeticOnTheHostDoesNotPreventCapture) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {2, 6});
  b.output("y", DataType::kFloat32, {3, 4}).output("dims", DataType::kInt64, {2});
  b.initializer("to", Tensor::from_vector<int64_t>({2}, {3, 4}));
  b.node("Relu", {"x"}, {"r"});
  b.node("Reshape", {"r", "to"}, {"v"});
  b.node("Relu", {"v"}, {"y"});
  b.node("Shape", {"r"}, {"dims"});
  Loaded l = load_both(b, true);
  ASSERT_NE(l.device, nullptr);
  EXPECT_EQ(l.device->metadata().placement.graphs, "captured once per input shapes, then replayed");
  for (int i = 0; i < 3; ++i) {
    Tensor x = ramp({2, 6});
    x.mutable_data<float>()[0] = static_cast<float>(10 * i);
    const std::vector<Tensor> in = {x};
    auto want = l.cpu->run(in);
    auto got = l.device->run(in);
    ASSERT_TRUE(got.ok()) << got.status().to_string();
    EXPECT_EQ((*got)[0].to_vector<float>(), (*want)[0].to_vector<float>()) << "run " << i;
    EXPECT_EQ((*got)[1].to_vector<int64_t>(), (std::vector<int64_t>{2, 6}));
  }
  EXPECT_EQ(l.provider->replays.load(), 2);
}

TEST(DeviceGraphTest, CpuWorkOnTheRunsDataMeansNoGraphAndSaysWhy) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {8}).output("y", DataType::kFloat32, {8});
  b.node("Relu", {"x"}, {"r"});
  b.node("Sigmoid", {"r"}, {"s"});
  b.node("Relu", {"s"}, {"y"});
  Loaded l = load_both(b, true);
  ASSERT_NE(l.device, nullptr);
  const std::string& why = l.device->metadata().placement.graphs;
  EXPECT_EQ(why.rfind("not captured: copy of \"r\" to the host", 0), 0u) << why;
  for (int i = 0; i < 3; ++i) expect_same_outputs(l, {ramp({8})});
  EXPECT_EQ(l.provider->captures.load(), 0);
}

TEST(DeviceGraphTest, CpuSessionsAndProvidersWithoutGraphsSayNothing) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {4}).output("y", DataType::kFloat32, {4});
  b.node("Relu", {"x"}, {"y"});
  Loaded l = load_both(b, /*graphs=*/false);
  ASSERT_NE(l.device, nullptr);
  EXPECT_EQ(l.device->metadata().placement.graphs, "");
  for (int i = 0; i < 3; ++i) expect_same_outputs(l, {ramp({4})});
  EXPECT_EQ(l.provider->replays.load(), 0);
}

}  // namespace
}  // namespace modelhost::engine::testing
