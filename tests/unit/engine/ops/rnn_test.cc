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

// Expected values from ONNX Runtime on the same inputs.
TEST(EngineRnnTest, BidirectionalCustomActivations) {
  auto r = OpCase("RNN", 14)
               .input(Tensor::from_vector<float>(
                   {3, 2, 2}, F{0.43f, -0.67f, -0.21f, 0.82f, 0.12f, 0.16f, -0.61f, 0.05f, 0.05f,
                                -0.82f, 0.96f, 0.14f}))
               .weight(Tensor::from_vector<float>(
                   {2, 2, 2}, F{-0.99f, 0.55f, 0.96f, 0.18f, -0.36f, -0.62f, 0.35f, -0.61f}))
               .weight(Tensor::from_vector<float>(
                   {2, 2, 2}, F{0.16f, 0.2f, 0.92f, -0.86f, 0.0f, 0.49f, -0.65f, -0.22f}))
               .attr("hidden_size", int64_t{2})
               .attr("direction", std::string("bidirectional"))
               .attr("activations", Strings{{"Relu", "LeakyRelu"}})
               .attr("activation_alpha", F{0.1f})
               .outputs(2)
               .run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  expect_float_tensor(
      (*r)[0], {3, 2, 2, 2},
      {0.0f,     0.2922f, 0.6589f,   0.0f,      0.236676f, 0.497614f,   -0.044608f, -0.0770143f,
       0.02764f, 0.0f,    0.736824f, 0.029588f, 0.111273f, -0.0488254f, 0.311394f,  -0.0271026f,
       0.0f,     0.0f,    0.0f,      1.59923f,  0.4904f,   0.5177f,     -0.04324f,  0.2506f});
  expect_float_tensor((*r)[1], {2, 2, 2},
                      {0.0f, 0.0f, 0.0f, 1.59923f, 0.236676f, 0.497614f, -0.044608f, -0.0770143f});
}

TEST(EngineRnnTest, InitialStateAndBias) {
  // hidden 1: h1 = tanh(2 * x + 0.5 * h0 + 0.1 + 0.2).
  auto r = OpCase("RNN", 7)
               .input(Tensor::from_vector<float>({1, 1, 1}, F{0.25f}))
               .weight(Tensor::from_vector<float>({1, 1, 1}, F{2}))
               .weight(Tensor::from_vector<float>({1, 1, 1}, F{0.5f}))
               .weight(Tensor::from_vector<float>({1, 2}, F{0.1f, 0.2f}))
               .omitted()
               .input(Tensor::from_vector<float>({1, 1, 1}, F{-1}))
               .attr("hidden_size", int64_t{1})
               .outputs(2)
               .run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  expect_float_tensor((*r)[1], {1, 1, 1}, {std::tanh(0.5f - 0.5f + 0.3f)});
}

TEST(EngineRnnTest, WrongActivationCount) {
  auto r = OpCase("RNN", 14)
               .input(Tensor::from_vector<float>({1, 1, 1}, F{1}))
               .weight(Tensor::from_vector<float>({1, 1, 1}, F{1}))
               .weight(Tensor::from_vector<float>({1, 1, 1}, F{1}))
               .attr("hidden_size", int64_t{1})
               .attr("activations", Strings{{"Tanh", "Relu", "Relu"}})
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("activations has 3 entries"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
