// The CUDA execution provider end to end: small models of the ops the served models use, loaded
// twice (CPU and GPU) and run on the same inputs, in every precision, with tolerances per
// precision; and where the planner put each node. Skipped without a GPU (the placement logic
// itself is tested everywhere with a stand-in device: tests/unit/engine/device_placement_test.cc).
#include "engine/cuda/provider.h"

#include <gtest/gtest.h>

#include <random>

#include "cuda/cuda_test_util.h"
#include "engine/exec/device.h"
#include "engine/test_util.h"

namespace modelhost::engine::cuda {
namespace {

using engine::testing::ModelBuilder;
using engine::testing::set_attr;
using engine::testing::TempDir;

struct Tolerance {
  double atol, rtol;
};

Tolerance tolerance(Precision p) {
  switch (p) {
    case Precision::kFp32:
      return {2e-4, 2e-4};
    case Precision::kTf32:
      return {2e-2, 2e-2};
    case Precision::kFp16:
      return {3e-2, 3e-2};
    default:
      return {8e-2, 8e-2};
  }
}

Tensor random_tensor(Shape shape, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  Tensor t = Tensor::allocate(DataType::kFloat32, std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.mutable_data<float>()[i] = dist(rng);
  return t;
}

class CudaProviderTest : public ::testing::TestWithParam<Precision> {
 protected:
  void SetUp() override { MODELHOST_REQUIRE_GPU(); }

  // Loads `b` on the CPU and on cuda:0 in the test's precision.
  void load(const ModelBuilder& b) {
    const std::string path = b.save(dir_.path());
    SessionOptions options;
    auto cpu = Session::create(path, options);
    ASSERT_TRUE(cpu.ok()) << cpu.status().to_string();
    cpu_ = std::move(cpu).value();
    auto provider = make_provider(0, GetParam());
    ASSERT_TRUE(provider.ok()) << provider.status().to_string();
    options.device = *provider;
    auto gpu = Session::create(path, options);
    ASSERT_TRUE(gpu.ok()) << gpu.status().to_string();
    gpu_ = std::move(gpu).value();
  }

  const ModelMetadata::Placement& placement() const { return gpu_->metadata().placement; }

  // Runs both (three times on the GPU: an ordinary run, then the capture of a graph and its first
  // replay, then a replay; all on one lane).
  void expect_close(const std::vector<Tensor>& inputs) {
    auto want = cpu_->run(inputs);
    ASSERT_TRUE(want.ok()) << want.status().to_string();
    for (int round = 0; round < 3; ++round) {
      auto got = gpu_->run(inputs);
      ASSERT_TRUE(got.ok()) << got.status().to_string();
      ASSERT_EQ(got->size(), want->size());
      const Tolerance tol = tolerance(GetParam());
      for (size_t i = 0; i < got->size(); ++i) {
        const Tensor& g = (*got)[i];
        const Tensor& w = (*want)[i];
        ASSERT_FALSE(g.on_device());
        ASSERT_EQ(g.shape(), w.shape()) << "output " << i;
        double worst = 0;
        for (int64_t j = 0; j < g.num_elements(); ++j) {
          const double a = g.data<float>()[j], b = w.data<float>()[j];
          worst = std::max(worst, std::fabs(a - b) / (tol.atol + tol.rtol * std::fabs(b)));
        }
        EXPECT_LE(worst, 1.0) << "output " << i << " (1.0 = at the tolerance)";
      }
    }
  }

  TempDir dir_;
  std::unique_ptr<Session> cpu_, gpu_;
};

TEST_P(CudaProviderTest, MatMulBiasReluRunsAsOneFusedGemm) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {-1, 64}).output("y", DataType::kFloat32, {-1, 48});
  b.initializer("w", random_tensor({64, 48}, 1, -0.2f, 0.2f));
  b.initializer("bias", random_tensor({48}, 2));
  b.node("MatMul", {"x", "w"}, {"m"});
  b.node("Add", {"m", "bias"}, {"a"});
  b.node("Relu", {"a"}, {"y"});
  ASSERT_NO_FATAL_FAILURE(load(b));
  EXPECT_TRUE(placement().cpu_nodes.empty());
  EXPECT_EQ(placement().uploaded_weights, 2);
  expect_close({random_tensor({5, 64}, 3)});
}

TEST_P(CudaProviderTest, GemmWithTransposedWeightAndTanh) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {4, 32}).output("y", DataType::kFloat32, {4, 16});
  b.initializer("w", random_tensor({16, 32}, 4, -0.3f, 0.3f));
  b.initializer("c", random_tensor({16}, 5));
  set_attr(b.node("Gemm", {"x", "w", "c"}, {"g"}), "transB", int64_t{1});
  b.node("Tanh", {"g"}, {"y"});
  ASSERT_NO_FATAL_FAILURE(load(b));
  EXPECT_TRUE(placement().cpu_nodes.empty());
  expect_close({random_tensor({4, 32}, 6)});
}

TEST_P(CudaProviderTest, ConvolutionsWithResidualAndActivations) {
  // A ResNet block's shape: 3x3 conv + ReLU, 1x1 conv + the residual + ReLU; then MobileNet's
  // depthwise stride-2 conv with ReLU6, MaxPool, GlobalAveragePool, Flatten and the classifier.
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {-1, 8, 12, 12}).output("y", DataType::kFloat32, {-1, 10});
  b.initializer("w1", random_tensor({8, 8, 3, 3}, 7, -0.2f, 0.2f));
  b.initializer("b1", random_tensor({8}, 8));
  b.initializer("w2", random_tensor({8, 8, 1, 1}, 9, -0.3f, 0.3f));
  b.initializer("dw", random_tensor({8, 1, 3, 3}, 10, -0.3f, 0.3f));
  b.initializer("fc", random_tensor({10, 8}, 11, -0.3f, 0.3f));
  b.initializer("fcb", random_tensor({10}, 12));
  b.initializer("lo", Tensor::from_vector<float>({}, {0.f}));
  b.initializer("hi", Tensor::from_vector<float>({}, {6.f}));
  auto& c1 = b.node("Conv", {"x", "w1", "b1"}, {"c1"});
  set_attr(c1, "pads", std::vector<int64_t>{1, 1, 1, 1});
  b.node("Relu", {"c1"}, {"r1"});
  b.node("Conv", {"r1", "w2"}, {"c2"});
  b.node("Add", {"c2", "x"}, {"s"});
  b.node("Relu", {"s"}, {"r2"});
  auto& d = b.node("Conv", {"r2", "dw"}, {"d"});
  set_attr(d, "group", int64_t{8});
  set_attr(d, "strides", std::vector<int64_t>{2, 2});
  set_attr(d, "pads", std::vector<int64_t>{1, 1, 1, 1});
  b.node("Clip", {"d", "lo", "hi"}, {"r3"});
  auto& mp = b.node("MaxPool", {"r3"}, {"p"});
  set_attr(mp, "kernel_shape", std::vector<int64_t>{3, 3});
  set_attr(mp, "pads", std::vector<int64_t>{1, 1, 1, 1});
  b.node("GlobalAveragePool", {"p"}, {"g"});
  b.node("Flatten", {"g"}, {"f"});
  set_attr(b.node("Gemm", {"f", "fc", "fcb"}, {"y"}), "transB", int64_t{1});
  ASSERT_NO_FATAL_FAILURE(load(b));
  for (const auto& n : placement().cpu_nodes) ADD_FAILURE() << n.node << ": " << n.reason;
  EXPECT_EQ(placement().copies.size(), 2u);  // x in, y out
  EXPECT_EQ(placement().graphs, "captured once per input shapes, then replayed");
  expect_close({random_tensor({3, 8, 12, 12}, 13)});
}

TEST_P(CudaProviderTest, TransformerPiecesAndBroadcasts) {
  // Embeddings (Gather of a float table + position row broadcast), LayerNormalization, a
  // Transpose, Softmax over the last axis, a per-channel Mul, a Concat and a Slice.
  const int64_t vocab = 50, dim = 16, seq = 6;
  ModelBuilder b(17);
  b.input("ids", DataType::kInt64, {-1, seq});
  b.output("y", DataType::kFloat32, {-1, seq, dim}).output("t", DataType::kFloat32, {-1, dim, seq});
  b.output("cat", DataType::kFloat32, {-1, seq, 2 * dim});
  b.output("sl", DataType::kFloat32, {-1, seq - 2, dim});
  b.initializer("table", random_tensor({vocab, dim}, 14));
  b.initializer("pos", random_tensor({1, seq, dim}, 15));
  b.initializer("gamma", random_tensor({dim}, 16, 0.5f, 1.5f));
  b.initializer("beta", random_tensor({dim}, 17));
  b.initializer("scale", random_tensor({1, seq, 1}, 18));
  b.node("Gather", {"table", "ids"}, {"e"});
  b.node("Add", {"e", "pos"}, {"h"});
  set_attr(b.node("LayerNormalization", {"h", "gamma", "beta"}, {"n"}), "epsilon", 1e-5f);
  b.node("Softmax", {"n"}, {"y"});
  set_attr(b.node("Transpose", {"n"}, {"t"}), "perm", std::vector<int64_t>{0, 2, 1});
  b.node("Mul", {"n", "scale"}, {"m"});
  set_attr(b.node("Concat", {"n", "m"}, {"cat"}), "axis", int64_t{2});
  b.initializer("starts", Tensor::from_vector<int64_t>({1}, {1}));
  b.initializer("ends", Tensor::from_vector<int64_t>({1}, {-1}));
  b.initializer("axes", Tensor::from_vector<int64_t>({1}, {1}));
  b.node("Slice", {"n", "starts", "ends", "axes"}, {"sl"});
  ASSERT_NO_FATAL_FAILURE(load(b));
  for (const auto& n : placement().cpu_nodes) ADD_FAILURE() << n.node << ": " << n.reason;
  Tensor ids = Tensor::allocate(DataType::kInt64, {2, seq});
  for (int64_t i = 0; i < ids.num_elements(); ++i) ids.mutable_data<int64_t>()[i] = (i * 7) % vocab;
  ids.mutable_data<int64_t>()[3] = -1;  // from the end, as ONNX allows
  expect_close({ids});
}

TEST_P(CudaProviderTest, ResizeNearestAndLinear) {
  ModelBuilder b(13);
  b.input("x", DataType::kFloat32, {2, 3, 5, 7});
  b.output("up", DataType::kFloat32, {2, 3, 10, 14})
      .output("lin", DataType::kFloat32, {2, 3, 8, 9});
  b.initializer("scales", Tensor::from_vector<float>({4}, {1.f, 1.f, 2.f, 2.f}));
  b.initializer("sizes", Tensor::from_vector<int64_t>({4}, {2, 3, 8, 9}));
  auto& near = b.node("Resize", {"x", "", "scales"}, {"up"});
  set_attr(near, "mode", std::string("nearest"));
  set_attr(near, "coordinate_transformation_mode", std::string("asymmetric"));
  auto& lin = b.node("Resize", {"x", "", "", "sizes"}, {"lin"});
  set_attr(lin, "mode", std::string("linear"));
  ASSERT_NO_FATAL_FAILURE(load(b));
  for (const auto& n : placement().cpu_nodes) ADD_FAILURE() << n.node << ": " << n.reason;
  expect_close({random_tensor({2, 3, 5, 7}, 24)});
}

TEST_P(CudaProviderTest, GatherIndexOutOfRangeIsAnErrorOfTheRun) {
  ModelBuilder b;
  b.input("ids", DataType::kInt64, {3}).output("y", DataType::kFloat32, {3, 4});
  b.initializer("table", random_tensor({10, 4}, 19));
  b.node("Gather", {"table", "ids"}, {"y"});
  ASSERT_NO_FATAL_FAILURE(load(b));
  const std::vector<Tensor> bad = {Tensor::from_vector<int64_t>({3}, {1, 10, 2})};
  auto got = gpu_->run(bad);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "Gather: an index is out of range of the table");
  // The lane is clean for the next run.
  expect_close({Tensor::from_vector<int64_t>({3}, {1, 9, 2})});
}

TEST_P(CudaProviderTest, FusedAttentionWithAPaddingMask) {
  const int64_t B = 2, S = 10, H = 4, D = 16;
  ModelBuilder b(17);
  auto* ours = b.proto().add_opset_import();
  ours->set_domain("com.modelhost");
  ours->set_version(1);
  b.input("q", DataType::kFloat32, {B, S, H, D}).input("k", DataType::kFloat32, {B, S, H, D});
  b.input("v", DataType::kFloat32, {B, S, H, D}).input("mask", DataType::kFloat32, {B, 1, 1, S});
  b.output("y", DataType::kFloat32, {B, S, H, D});
  auto& n = b.node("FusedAttention", {"q", "k", "v", "mask"}, {"y"});
  n.set_domain("com.modelhost");
  set_attr(n, "scale", 0.25f);
  ASSERT_NO_FATAL_FAILURE(load(b));
  EXPECT_TRUE(placement().cpu_nodes.empty());
  Tensor mask = Tensor::allocate(DataType::kFloat32, {B, 1, 1, S});
  for (int64_t j = 7; j < S; ++j) mask.mutable_data<float>()[S + j] = -10000.f;
  expect_close({random_tensor({B, S, H, D}, 20), random_tensor({B, S, H, D}, 21),
                random_tensor({B, S, H, D}, 22), mask});
}

TEST_P(CudaProviderTest, OpWithoutACudaKernelRunsOnTheCpuBetweenCopies) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {4, 8}).output("y", DataType::kFloat32, {4, 8});
  b.node("Relu", {"x"}, {"r"});
  b.node("Cos", {"r"}, {"c"}, "cosine");
  b.node("Sigmoid", {"c"}, {"y"});
  ASSERT_NO_FATAL_FAILURE(load(b));
  ASSERT_EQ(placement().cpu_nodes.size(), 1u);
  EXPECT_NE(placement().cpu_nodes[0].node.find("cosine"), std::string::npos);
  EXPECT_EQ(placement().copies.size(), 4u);
  expect_close({random_tensor({4, 8}, 23)});
}

INSTANTIATE_TEST_SUITE_P(Precisions, CudaProviderTest,
                         ::testing::Values(Precision::kFp32, Precision::kTf32, Precision::kFp16,
                                           Precision::kBf16),
                         [](const ::testing::TestParamInfo<Precision>& info) {
                           return std::string(precision_name(info.param));
                         });

TEST(CudaProviderCreateTest, ADeviceThatDoesNotExistIsRefusedWithTheCount) {
  MODELHOST_REQUIRE_GPU();
  auto p = make_provider(64, Precision::kFp32);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("cuda:64 does not exist"), std::string::npos)
      << p.status().message();
}

TEST(CudaProviderCreateTest, WithoutAGpuTheProviderSaysWhy) {
  std::string why;
  if (device_count(&why) > 0) GTEST_SKIP() << "this machine has a GPU";
  auto p = make_provider(0, Precision::kFp32);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("no CUDA device"), std::string::npos) << p.status().message();
}

}  // namespace
}  // namespace modelhost::engine::cuda
