#include <gtest/gtest.h>

#include <cmath>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;

// A strings attribute (test_util has no setter for them); found by argument-dependent lookup
// from OpCase::attr.
struct Strings {
  std::vector<std::string> values;
};
void set_attr(::onnx::NodeProto& node, const std::string& name, const Strings& v) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::STRINGS);
  for (const std::string& s : v.values) a->add_strings(s);
}

// Expected values from ONNX Runtime's LSTM on the same inputs.
TEST(EngineLstmTest, BidirectionalWithSequenceLensStatesAndPeepholes) {
  auto r = OpCase("LSTM", 14)
               .input(Tensor::from_vector<float>(
                   {3, 2, 2}, F{0.27f, -0.46f, -0.92f, -0.97f, 0.63f, 0.83f, 0.21f, 0.46f, 0.09f,
                                0.87f, 0.63f, -0.99f}))
               .weight(Tensor::from_vector<float>(
                   {2, 8, 2}, F{0.71f,  -0.93f, 0.46f, -0.65f, 0.73f,  0.08f,  -0.4f, -0.15f,
                                -0.94f, -0.75f, 0.34f, 0.29f,  0.23f,  -0.23f, 0.99f, 0.96f,
                                0.37f,  0.3f,   0.38f, -0.22f, -0.73f, 0.44f,  0.05f, -0.38f,
                                -0.03f, 0.78f,  0.87f, -0.28f, 0.14f,  -0.36f, 0.19f, -0.32f}))
               .weight(Tensor::from_vector<float>(
                   {2, 8, 2}, F{-0.22f, 0.78f,  -0.55f, 0.25f, -0.83f, 0.67f, 0.57f,  -0.52f,
                                0.75f,  -0.88f, -0.33f, -0.7f, -0.1f,  0.59f, -0.54f, -0.9f,
                                -0.19f, -0.6f,  -0.82f, 0.16f, -0.4f,  0.34f, -0.6f,  0.88f,
                                -0.27f, -0.79f, 0.26f,  0.85f, -0.12f, 0.91f, 0.0f,   -0.15f}))
               .weight(Tensor::from_vector<float>(
                   {2, 16}, F{0.24f,  0.99f,  0.9f,  -0.08f, 0.52f,  -0.01f, 0.06f,  0.57f,
                              -0.17f, 0.47f,  0.42f, 0.86f,  -0.77f, 0.46f,  0.85f,  0.94f,
                              -0.97f, 0.73f,  0.96f, 0.91f,  -0.7f,  0.95f,  0.78f,  0.64f,
                              -0.04f, -0.54f, 0.6f,  0.85f,  -0.47f, 0.08f,  -0.11f, 0.86f}))
               .input(Tensor::from_vector<int32_t>({2}, {3, 2}))
               .input(Tensor::from_vector<float>(
                   {2, 2, 2}, F{-0.92f, 0.46f, 0.23f, -0.94f, 0.44f, -0.97f, 0.52f, 0.03f}))
               .input(Tensor::from_vector<float>(
                   {2, 2, 2}, F{0.86f, -0.87f, 0.68f, -0.87f, -0.31f, -0.14f, 0.93f, 0.12f}))
               .weight(Tensor::from_vector<float>(
                   {2, 6}, F{-0.48f, -0.52f, 0.78f, -0.55f, -0.75f, -0.42f, 0.17f, 0.11f, 0.62f,
                             0.12f, -0.42f, -0.17f}))
               .attr("hidden_size", int64_t{2})
               .attr("direction", std::string("bidirectional"))
               .outputs(3)
               .run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  // Batch row 1 stops after 2 steps: its Y at t = 2 is zero in both directions.
  expect_float_tensor(
      (*r)[0], {3, 2, 2, 2},
      {0.600395f, 0.114041f, 0.341497f, -0.245844f, 0.145038f,  0.780711f, 0.121616f, 0.593474f,
       0.290202f, 0.380179f, 0.295538f, 0.325857f,  0.0291049f, 0.55136f,  0.270168f, 0.356599f,
       0.26896f,  0.387222f, 0.0f,      0.0f,       -0.285922f, 0.147359f, 0.0f,      0.0f},
      1e-5f);
  expect_float_tensor(
      (*r)[1], {2, 2, 2},
      {0.26896f, 0.387222f, 0.295538f, 0.325857f, 0.145038f, 0.780711f, 0.121616f, 0.593474f},
      1e-5f);
  expect_float_tensor(
      (*r)[2], {2, 2, 2},
      {0.32817f, 1.00446f, 0.389529f, 0.543863f, 0.181061f, 1.22419f, 0.140632f, 0.777647f}, 1e-5f);
}

TEST(EngineLstmTest, InputForgetCouplesTheGates) {
  // hidden 1, input 1, W = 1 for every gate, R = 0: i = sigmoid(x), f = 1 - i, c = tanh(x).
  auto r = OpCase("LSTM", 7)
               .input(Tensor::from_vector<float>({2, 1, 1}, F{0.5f, -1.0f}))
               .weight(Tensor::from_vector<float>({1, 4, 1}, F{1, 1, 1, 1}))
               .weight(Tensor::from_vector<float>({1, 4, 1}, F{0, 0, 0, 0}))
               .attr("hidden_size", int64_t{1})
               .attr("input_forget", int64_t{1})
               .outputs(3)
               .run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto sig = [](float v) { return 1.0f / (1.0f + std::exp(-v)); };
  float c = 0.0f;
  F hs;
  for (float x : {0.5f, -1.0f}) {
    const float i = sig(x);
    c = (1 - i) * c + i * std::tanh(x);
    hs.push_back(sig(x) * std::tanh(c));
  }
  expect_float_tensor((*r)[0], {2, 1, 1, 1}, hs);
  expect_float_tensor((*r)[2], {1, 1, 1}, {c});
}

TEST(EngineLstmTest, Errors) {
  auto bad_w = OpCase("LSTM", 14)
                   .input(Tensor::from_vector<float>({1, 1, 2}, F{1, 2}))
                   .weight(Tensor::from_vector<float>({1, 4, 2}, F(8, 0.1f)))
                   .weight(Tensor::from_vector<float>({1, 8, 2}, F(16, 0.1f)))
                   .attr("hidden_size", int64_t{2})
                   .run();
  ASSERT_FALSE(bad_w.ok());
  EXPECT_NE(bad_w.status().message().find("W must be [1,8,2]"), std::string::npos)
      << bad_w.status().message();
  auto no_hidden = OpCase("LSTM", 14)
                       .input(Tensor::from_vector<float>({1, 1, 2}, F{1, 2}))
                       .weight(Tensor::from_vector<float>({1, 8, 2}, F(16, 0.1f)))
                       .weight(Tensor::from_vector<float>({1, 8, 2}, F(16, 0.1f)))
                       .run();
  ASSERT_FALSE(no_hidden.ok());
  EXPECT_NE(no_hidden.status().message().find("hidden_size"), std::string::npos);
  auto bad_act = OpCase("LSTM", 14)
                     .input(Tensor::from_vector<float>({1, 1, 2}, F{1, 2}))
                     .weight(Tensor::from_vector<float>({1, 8, 2}, F(16, 0.1f)))
                     .weight(Tensor::from_vector<float>({1, 8, 2}, F(16, 0.1f)))
                     .attr("hidden_size", int64_t{2})
                     .attr("activations", Strings{{"Sigmoid", "Gelu", "Tanh"}})
                     .run();
  ASSERT_FALSE(bad_act.ok());
  EXPECT_NE(bad_act.status().message().find("Gelu"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
