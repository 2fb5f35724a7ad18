// If, Loop and Scan, loaded and run through whole Sessions (with and without the graph passes),
// subgraphs reading values of the graphs around them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine {
namespace {

using testing::expect_float_tensor;
using testing::expect_int64_tensor;
using testing::ModelBuilder;

void value_info(::onnx::ValueInfoProto* v, const std::string& name, DataType dtype,
                const std::vector<int64_t>& dims) {
  v->set_name(name);
  auto* tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(testing::onnx_type(dtype));
  auto* shape = tt->mutable_shape();
  for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
}

::onnx::NodeProto* add_node(::onnx::GraphProto& g, const std::string& op,
                            std::vector<std::string> in, std::vector<std::string> out) {
  auto* n = g.add_node();
  n->set_op_type(op);
  for (auto& s : in) n->add_input(s);
  for (auto& s : out) n->add_output(s);
  return n;
}

void set_graph(::onnx::NodeProto& node, const std::string& name, const ::onnx::GraphProto& g) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::GRAPH);
  *a->mutable_g() = g;
}

Result<std::vector<Tensor>> run_with(const Session& s, std::vector<Tensor> inputs) {
  return s.run(inputs);
}

Tensor floats(Shape shape, std::vector<float> v) { return Tensor::from_vector(shape, v); }

// y = If(c) then (x * k) else (x - Relu(x)), with k a weight of the outer graph and x an
// intermediate value (Identity of the input) that only the branches read.
ModelBuilder if_model() {
  ModelBuilder b(13);
  b.input("c", DataType::kBool, {});
  b.input("in", DataType::kFloat32, {3});
  b.output("y", DataType::kFloat32, {3});
  b.initializer("k", floats({3}, {2.f, 3.f, 4.f}));
  b.node("Identity", {"in"}, {"x"});
  ::onnx::GraphProto then_g, else_g;
  then_g.set_name("then");
  add_node(then_g, "Mul", {"x", "k"}, {"t"});
  value_info(then_g.add_output(), "t", DataType::kFloat32, {3});
  else_g.set_name("else");
  add_node(else_g, "Relu", {"x"}, {"r"});
  add_node(else_g, "Sub", {"x", "r"}, {"e"});
  else_g.add_output()->set_name("e");  // untyped subgraph outputs are allowed
  auto& n = b.node("If", {"c"}, {"y"});
  set_graph(n, "then_branch", then_g);
  set_graph(n, "else_branch", else_g);
  return b;
}

Tensor bool_scalar(bool v) { return Tensor::from_vector<bool>({}, {v}); }

TEST(EngineControlFlowTest, IfRunsTheBranchItsConditionPicksWithOuterValues) {
  for (bool optimize : {false, true}) {
    testing::TempDir dir;
    SessionOptions options;
    options.optimize = optimize;
    auto s = Session::create(if_model().save(dir.path()), options);
    ASSERT_TRUE(s.ok()) << s.status().message();
    const Tensor x = floats({3}, {1.f, -2.f, 3.f});
    auto then_out = run_with(**s, {bool_scalar(true), x});
    ASSERT_TRUE(then_out.ok()) << then_out.status().message();
    expect_float_tensor((*then_out)[0], {3}, {2.f, -6.f, 12.f});
    auto else_out = run_with(**s, {bool_scalar(false), x});
    ASSERT_TRUE(else_out.ok()) << else_out.status().message();
    expect_float_tensor((*else_out)[0], {3}, {0.f, -2.f, 0.f});
  }
}

TEST(EngineControlFlowTest, IfRefusesAConditionThatIsNotOneBool) {
  ModelBuilder b = if_model();
  b.proto().mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(
      testing::onnx_type(DataType::kInt64));
  auto s = testing::load(b);
  ASSERT_TRUE(s.ok()) << s.status().message();
  auto out = run_with(**s, {Tensor::from_vector<int64_t>({}, {1}), floats({3}, {1.f, 2.f, 3.f})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("cond must be a bool tensor of one element, got int64"),
            std::string::npos)
      << out.status().message();
  EXPECT_NE(out.status().message().find("op If"), std::string::npos) << out.status().message();
}

TEST(EngineControlFlowTest, IfWithBranchesOfDifferentOutputCountsFailsToLoad) {
  ModelBuilder b = if_model();
  auto* n = b.proto().mutable_graph()->mutable_node(1);
  value_info(n->mutable_attribute(1)->mutable_g()->add_output(), "x", DataType::kFloat32, {3});
  auto s = testing::load(b);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("else_branch has 2 outputs for the node's 1"),
            std::string::npos)
      << s.status().message();
}

TEST(EngineControlFlowTest, ASubgraphReadingAnUnknownValueFailsToLoadNamingIt) {
  ModelBuilder b = if_model();
  auto* then_g = b.proto().mutable_graph()->mutable_node(1)->mutable_attribute(0)->mutable_g();
  then_g->mutable_node(0)->set_input(1, "nowhere");
  auto s = testing::load(b);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("input \"nowhere\" is not a graph input"), std::string::npos)
      << s.status().message();
  EXPECT_NE(s.status().message().find("subgraph \"then\""), std::string::npos)
      << s.status().message();
}

// Loop(M, cond, acc0) with body (i, c, acc) -> (i + 1 < limit, acc + x * i, acc), a scan output
// of the running sums; x and limit come from the outer graph.
ModelBuilder loop_model(bool with_cond) {
  ModelBuilder b(13);
  b.input("M", DataType::kInt64, {});
  b.input("x", DataType::kFloat32, {2});
  b.input("acc0", DataType::kFloat32, {2});
  b.output("acc", DataType::kFloat32, {2});
  b.output("sums", DataType::kFloat32, {-1, 2});
  b.initializer("limit", Tensor::from_vector<int64_t>({}, {3}));
  b.initializer("one", Tensor::from_vector<int64_t>({}, {1}));
  ::onnx::GraphProto body;
  body.set_name("body");
  value_info(body.add_input(), "i", DataType::kInt64, {});
  value_info(body.add_input(), "c", DataType::kBool, {});
  value_info(body.add_input(), "a", DataType::kFloat32, {2});
  add_node(body, "Add", {"i", "one"}, {"next"});
  add_node(body, "Less", {"next", "limit"}, {"c_out"});
  add_node(body, "Cast", {"i"}, {"fi"})->add_attribute()->CopyFrom([] {
    ::onnx::AttributeProto a;
    a.set_name("to");
    a.set_type(::onnx::AttributeProto::INT);
    a.set_i(1);  // float
    return a;
  }());
  add_node(body, "Mul", {"x", "fi"}, {"xi"});
  add_node(body, "Add", {"a", "xi"}, {"a_out"});
  add_node(body, "Identity", {"a_out"}, {"scan"});
  value_info(body.add_output(), "c_out", DataType::kBool, {});
  value_info(body.add_output(), "a_out", DataType::kFloat32, {2});
  value_info(body.add_output(), "scan", DataType::kFloat32, {2});
  if (with_cond) b.initializer("go", Tensor::from_vector<bool>({}, {true}));
  auto& n = b.node("Loop", {"M", with_cond ? "go" : "", "acc0"}, {"acc", "sums"});
  set_graph(n, "body", body);
  return b;
}

TEST(EngineControlFlowTest, LoopRunsUntilTheTripCountOrTheConditionStops) {
  const Tensor x = floats({2}, {1.f, 10.f});
  const Tensor acc0 = floats({2}, {0.5f, 0.f});
  for (bool with_cond : {false, true}) {
    auto s = testing::load(loop_model(with_cond));
    ASSERT_TRUE(s.ok()) << s.status().message();
    // M = 2 stops first: sums after i = 0 and i = 1.
    auto two = run_with(**s, {Tensor::from_vector<int64_t>({}, {2}), x, acc0});
    ASSERT_TRUE(two.ok()) << two.status().message();
    expect_float_tensor((*two)[0], {2}, {1.5f, 10.f});
    expect_float_tensor((*two)[1], {2, 2}, {0.5f, 0.f, 1.5f, 10.f});
    // M = 10: the body's condition (i + 1 < 3) stops after i = 2 (the scan has 3 rows).
    auto ten = run_with(**s, {Tensor::from_vector<int64_t>({}, {10}), x, acc0});
    ASSERT_TRUE(ten.ok()) << ten.status().message();
    expect_float_tensor((*ten)[0], {2}, {3.5f, 30.f});
    EXPECT_EQ((*ten)[1].shape(), (Shape{3, 2}));
  }
}

TEST(EngineControlFlowTest, LoopWithZeroTripsReturnsTheInitialValues) {
  auto s = testing::load(loop_model(false));
  ASSERT_TRUE(s.ok()) << s.status().message();
  auto out = run_with(**s, {Tensor::from_vector<int64_t>({}, {0}), floats({2}, {1.f, 2.f}),
                            floats({2}, {7.f, 8.f})});
  ASSERT_TRUE(out.ok()) << out.status().message();
  expect_float_tensor((*out)[0], {2}, {7.f, 8.f});
  EXPECT_EQ((*out)[1].num_elements(), 0);
}

TEST(EngineControlFlowTest, LoopWithAMissingLoopCarriedOutputFailsToLoad) {
  ModelBuilder b = loop_model(false);
  auto* body = b.proto().mutable_graph()->mutable_node(0)->mutable_attribute(0)->mutable_g();
  body->mutable_output()->RemoveLast();
  body->mutable_output()->RemoveLast();
  auto s = testing::load(b);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("body takes 1 loop-carried values but returns 0"),
            std::string::npos)
      << s.status().message();
}

// Scan over the rows of a [3, 2] input: state s += row; scan output s * w (w from the outer
// graph), with the given directions and output axis.
ModelBuilder scan_model(int64_t in_dir, int64_t out_dir, int64_t out_axis) {
  ModelBuilder b(11);
  b.input("s0", DataType::kFloat32, {2});
  b.input("xs", DataType::kFloat32, {3, 2});
  b.output("s", DataType::kFloat32, {2});
  b.output("ys", DataType::kFloat32, {}, false);
  b.initializer("w", floats({2}, {1.f, -1.f}));
  ::onnx::GraphProto body;
  body.set_name("body");
  value_info(body.add_input(), "st", DataType::kFloat32, {2});
  value_info(body.add_input(), "row", DataType::kFloat32, {2});
  add_node(body, "Add", {"st", "row"}, {"st_out"});
  add_node(body, "Mul", {"st_out", "w"}, {"y"});
  value_info(body.add_output(), "st_out", DataType::kFloat32, {2});
  value_info(body.add_output(), "y", DataType::kFloat32, {2});
  auto& n = b.node("Scan", {"s0", "xs"}, {"s", "ys"});
  set_graph(n, "body", body);
  testing::set_attr(n, "num_scan_inputs", int64_t{1});
  testing::set_attr(n, "scan_input_directions", std::vector<int64_t>{in_dir});
  testing::set_attr(n, "scan_output_directions", std::vector<int64_t>{out_dir});
  testing::set_attr(n, "scan_output_axes", std::vector<int64_t>{out_axis});
  return b;
}

TEST(EngineControlFlowTest, ScanWalksAndStacksInBothDirectionsAlongAnyAxis) {
  const Tensor s0 = floats({2}, {0.f, 0.f});
  const Tensor xs = floats({3, 2}, {1.f, 2.f, 3.f, 4.f, 5.f, 6.f});
  struct Case {
    int64_t in_dir, out_dir, out_axis;
    Shape shape;
    std::vector<float> ys;
  };
  const std::vector<Case> cases = {
      // forward: running sums (1,2) (4,6) (9,12), times (1,-1)
      {0, 0, 0, {3, 2}, {1.f, -2.f, 4.f, -6.f, 9.f, -12.f}},
      // stacked in reverse order
      {0, 1, 0, {3, 2}, {9.f, -12.f, 4.f, -6.f, 1.f, -2.f}},
      // input walked backwards: (5,6) (8,10) (9,12)
      {1, 0, 0, {3, 2}, {5.f, -6.f, 8.f, -10.f, 9.f, -12.f}},
      // stacked along axis 1 (-1 means the same here): [2, 3]
      {0, 0, -1, {2, 3}, {1.f, 4.f, 9.f, -2.f, -6.f, -12.f}},
  };
  for (const Case& c : cases) {
    auto s = testing::load(scan_model(c.in_dir, c.out_dir, c.out_axis));
    ASSERT_TRUE(s.ok()) << s.status().message();
    auto out = run_with(**s, {s0, xs});
    ASSERT_TRUE(out.ok()) << out.status().message();
    expect_float_tensor((*out)[0], {2}, {9.f, 12.f});
    expect_float_tensor((*out)[1], c.shape, c.ys);
  }
}

TEST(EngineControlFlowTest, ScanRefusesBadDirections) {
  auto s = testing::load(scan_model(2, 0, 0));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("scan directions must be 0 (forward) or 1 (reverse), got 2"),
            std::string::npos)
      << s.status().message();
}

}  // namespace
}  // namespace modelhost::engine
