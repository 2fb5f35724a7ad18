// Session::run: input validation, outputs independent of inputs, concurrency.
#include <gtest/gtest.h>

#include <thread>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;

// x[-1,4] -> MatMul(W[4,3]) -> Softmax -> y[-1,3]; idx[-1] int64 -> Identity -> idx_out
std::unique_ptr<Session> two_input_model(int threads = 1) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {-1, 4}).input("idx", DataType::kInt64, {-1});
  b.output("y", DataType::kFloat32, {-1, 3}).output("idx_out", DataType::kInt64, {-1});
  std::vector<float> w(12);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.1f * static_cast<float>(i) - 0.5f;
  b.initializer("W", Tensor::from_vector<float>({4, 3}, w));
  b.node("MatMul", {"x", "W"}, {"h"});
  b.node("Softmax", {"h"}, {"y"});
  b.node("Identity", {"idx"}, {"idx_out"});
  auto s = load(b, threads);
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return s.ok() ? std::move(s).value() : nullptr;
}

std::string run_error(const Session& s, std::vector<Tensor> inputs) {
  auto r = s.run(inputs);
  return r.ok() ? "ok" : r.status().message();
}

TEST(EngineSessionTest, ValidatesInputs) {
  auto s = two_input_model();
  ASSERT_NE(s, nullptr);
  const Tensor idx = Tensor::from_vector<int64_t>({2}, {0, 1});
  EXPECT_EQ(run_error(*s, {Tensor::from_vector<float>({2, 4}, F(8))}), "expected 2 inputs, got 1");
  EXPECT_EQ(run_error(*s, {Tensor::from_vector<int64_t>({2, 4}, std::vector<int64_t>(8)), idx}),
            "input \"x\": expected float32 [-1,4], got int64 [2,4]");
  EXPECT_EQ(run_error(*s, {Tensor::from_vector<float>({2, 5}, F(10)), idx}),
            "input \"x\": expected float32 [-1,4], got float32 [2,5]");
  EXPECT_EQ(run_error(*s, {Tensor::from_vector<float>({8}, F(8)), idx}),
            "input \"x\": expected float32 [-1,4], got float32 [8]");
  EXPECT_EQ(run_error(*s, {Tensor::from_vector<float>({2, 4}, F(8)), Tensor()}),
            "input \"idx\": expected int64 [-1], got undefined []");
  EXPECT_EQ(run_error(*s, {Tensor::from_vector<float>({2, 4}, F(8)), idx}), "ok");
}

TEST(EngineSessionTest, OutputsDoNotAliasInputs) {
  auto s = two_input_model();
  ASSERT_NE(s, nullptr);
  std::vector<Tensor> in = {Tensor::from_vector<float>({1, 4}, F{1, 2, 3, 4}),
                            Tensor::from_vector<int64_t>({3}, {7, 8, 9})};
  auto out = s->run(in);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  expect_int64_tensor((*out)[1], {3}, {7, 8, 9});
  EXPECT_NE((*out)[1].raw_data(), in[1].raw_data());
  in[1].mutable_data<int64_t>()[0] = 100;
  EXPECT_EQ((*out)[1].data<int64_t>()[0], 7);
}

TEST(EngineSessionTest, ConcurrentRunsGiveIdenticalResults) {
  auto single = two_input_model(1);
  auto pooled = two_input_model(4);
  ASSERT_NE(single, nullptr);
  ASSERT_NE(pooled, nullptr);
  const int64_t rows = 64;
  std::vector<float> x(rows * 4);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 13) * 0.25f;
  std::vector<Tensor> in = {Tensor::from_vector<float>({rows, 4}, x),
                            Tensor::from_vector<int64_t>({2}, {1, 2})};
  auto ref = single->run(in);
  ASSERT_TRUE(ref.ok()) << ref.status().to_string();
  const std::vector<float> want = (*ref)[0].to_vector<float>();

  for (Session* s : {single.get(), pooled.get()}) {
    std::vector<std::thread> threads;
    std::vector<int> mismatches(8, 0);
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 50; ++i) {
          auto out = s->run(in);
          if (!out.ok() || (*out)[0].to_vector<float>() != want)
            ++mismatches[static_cast<size_t>(t)];
        }
      });
    }
    for (auto& th : threads) th.join();
    for (int m : mismatches) EXPECT_EQ(m, 0);
  }
}

TEST(EngineSessionTest, RejectsNegativeThreadCount) {
  TempDir dir;
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {2}).output("y", DataType::kFloat32, {2});
  b.node("Relu", {"x"}, {"y"});
  SessionOptions options;
  options.intra_op_threads = -1;
  auto r = Session::create(b.save(dir.path()), options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("intra_op_threads"), std::string::npos);
}

TEST(EngineSessionTest, UnknownRankInputAcceptsAnyShape) {
  ModelBuilder b;
  b.input("x", DataType::kFloat32, {}, /*has_shape=*/false)
      .output("y", DataType::kFloat32, {}, false);
  b.node("Relu", {"x"}, {"y"});
  auto s = load(b);
  ASSERT_TRUE(s.ok());
  std::vector<Tensor> in = {Tensor::from_vector<float>({1, 1, 2}, F{-1, 1})};
  auto out = (*s)->run(in);
  ASSERT_TRUE(out.ok());
  expect_float_tensor((*out)[0], {1, 1, 2}, {0, 1});
}

}  // namespace
}  // namespace modelhost::engine::testing
