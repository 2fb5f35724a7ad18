#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineConstantTest, TensorValue) {
  Tensor y =
      OpCase("Constant").attr("value", Tensor::from_vector<float>({2, 2}, F{1, 2, 3, 4})).run_one();
  expect_float_tensor(y, {2, 2}, {1, 2, 3, 4});
  Tensor i =
      OpCase("Constant").attr("value", Tensor::from_vector<int64_t>({2}, I{5, -5})).run_one();
  expect_int64_tensor(i, {2}, {5, -5});
}

TEST(EngineConstantTest, ScalarAndListValues) {
  expect_float_tensor(OpCase("Constant").attr("value_float", 2.5f).run_one(), {}, {2.5f});
  expect_float_tensor(OpCase("Constant").attr("value_floats", F{1, 2}).run_one(), {2}, {1, 2});
  expect_int64_tensor(OpCase("Constant").attr("value_int", int64_t{7}).run_one(), {}, {7});
  expect_int64_tensor(OpCase("Constant").attr("value_ints", I{1, 2, 3}).run_one(), {3}, {1, 2, 3});
}

TEST(EngineConstantTest, NeedsExactlyOneValue) {
  EXPECT_FALSE(OpCase("Constant").run().ok());
  EXPECT_FALSE(
      OpCase("Constant").attr("value_int", int64_t{1}).attr("value_float", 1.0f).run().ok());
}

TEST(EngineConstantTest, FeedsAnotherNode) {
  ModelBuilder b;
  b.input("x", DataType::kInt64, {-1, 2}).output("y", DataType::kInt64, {-1, 2});
  set_attr(b.node("Constant", {}, {"c"}, "c"), "value_ints", I{10, 20});
  b.node("Add", {"x", "c"}, {"y"}, "add");
  auto s = load(b);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  std::vector<Tensor> in = {Tensor::from_vector<int64_t>({2, 2}, I{1, 2, 3, 4})};
  auto out = (*s)->run(in);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  expect_int64_tensor((*out)[0], {2, 2}, {11, 22, 13, 24});
}

}  // namespace
}  // namespace modelhost::engine::testing
