// In-place execution: an elementwise node computes over an input that dies at it, and never over
// a buffer anything else can still see (graph inputs, weights, values with other readers).
#include <gtest/gtest.h>

#include <cmath>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;

constexpr int64_t kN = 1024;  // 4 KiB of float32: one arena buffer, no rounding

F ramp() {
  F v(kN);
  for (int64_t i = 0; i < kN; ++i) v[static_cast<size_t>(i)] = static_cast<float>(i % 17) - 8;
  return v;
}

std::unique_ptr<Session> must_load(const ModelBuilder& b) {
  auto s = load(b);
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return s.ok() ? std::move(s).value() : nullptr;
}

TEST(EngineInPlaceTest, ElementwiseChainUsesOneBuffer) {
  // Relu needs a new buffer (x belongs to the caller); Neg, Abs and Sigmoid reuse it.
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {kN}).output("y", DataType::kFloat32, {kN});
  b.node("Relu", {"x"}, {"r"});
  b.node("Neg", {"r"}, {"n"});
  b.node("Abs", {"n"}, {"a"});
  b.node("Sigmoid", {"a"}, {"y"});
  auto s = must_load(b);
  ASSERT_NE(s, nullptr);
  const F x = ramp();
  std::vector<Tensor> in = {Tensor::from_vector<float>({kN}, x)};
  auto out = s->run(in);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  const float* y = (*out)[0].data<float>();
  for (int64_t i = 0; i < kN; ++i) {
    const float v = x[static_cast<size_t>(i)];
    ASSERT_FLOAT_EQ(y[i], 1.0f / (1.0f + std::exp(-std::fabs(-std::max(v, 0.0f))))) << i;
    ASSERT_EQ(in[0].data<float>()[i], v) << "the caller's input was written over at " << i;
  }
  EXPECT_EQ(s->memory_stats().peak_arena_bytes, static_cast<size_t>(kN * 4));
}

TEST(EngineInPlaceTest, ValueWithTwoReadersIsNotWrittenOver) {
  // t feeds Neg and Sigmoid: Neg must not overwrite it, Sigmoid (its last reader) may.
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {kN});
  b.output("neg", DataType::kFloat32, {kN}).output("sig", DataType::kFloat32, {kN});
  b.node("Relu", {"x"}, {"t"});
  b.node("Neg", {"t"}, {"neg"});
  b.node("Sigmoid", {"t"}, {"sig"});
  auto s = must_load(b);
  ASSERT_NE(s, nullptr);
  const F x = ramp();
  std::vector<Tensor> in = {Tensor::from_vector<float>({kN}, x)};
  auto out = s->run(in);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  for (int64_t i = 0; i < kN; ++i) {
    const float r = std::max(x[static_cast<size_t>(i)], 0.0f);
    ASSERT_EQ((*out)[0].data<float>()[i], -r) << i;
    ASSERT_FLOAT_EQ((*out)[1].data<float>()[i], 1.0f / (1.0f + std::exp(-r))) << i;
  }
  EXPECT_NE((*out)[0].raw_data(), (*out)[1].raw_data());
}

TEST(EngineInPlaceTest, BroadcastAddWritesOverTheFullSizeInput) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {kN / 4, 4}).output("y", DataType::kFloat32, {kN / 4, 4});
  b.initializer("bias", Tensor::from_vector<float>({4}, F{1, 2, 3, 4}));
  b.node("Relu", {"x"}, {"t"});
  b.node("Add", {"bias", "t"}, {"y"});  // the dying input is the second, full-size one
  auto s = must_load(b);
  ASSERT_NE(s, nullptr);
  const F x = ramp();
  for (int run = 0; run < 2; ++run) {  // a written-over bias would show in the second run
    std::vector<Tensor> in = {Tensor::from_vector<float>({kN / 4, 4}, x)};
    auto out = s->run(in);
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    for (int64_t i = 0; i < kN; ++i) {
      ASSERT_EQ((*out)[0].data<float>()[i],
                std::max(x[static_cast<size_t>(i)], 0.0f) + static_cast<float>(i % 4 + 1))
          << "run " << run << " element " << i;
    }
  }
  EXPECT_EQ(s->memory_stats().peak_arena_bytes, static_cast<size_t>(kN * 4));
}

TEST(EngineInPlaceTest, WeightsAndGraphInputsStayIntact) {
  // Relu(w) reads a weight and Neg(x) a graph input: both need buffers of their own.
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {4}).output("y", DataType::kFloat32, {4});
  b.initializer("w", Tensor::from_vector<float>({4}, F{-1, 2, -3, 4}));
  b.node("Relu", {"w"}, {"rw"});
  b.node("Neg", {"x"}, {"nx"});
  b.node("Add", {"rw", "nx"}, {"y"});
  auto s = must_load(b);
  ASSERT_NE(s, nullptr);
  for (int run = 0; run < 3; ++run) {
    std::vector<Tensor> in = {Tensor::from_vector<float>({4}, F{1, 1, 1, 1})};
    auto out = s->run(in);
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    expect_float_tensor((*out)[0], {4}, {-1, 1, -1, 3});
    expect_float_tensor(in[0], {4}, {1, 1, 1, 1});
  }
}

}  // namespace
}  // namespace modelhost::engine::testing
