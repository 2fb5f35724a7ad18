#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using D = std::vector<double>;
using I = std::vector<int64_t>;
using B = std::vector<bool>;

TEST(EngineClipTest, InputsFromOpset11) {
  Tensor y = OpCase("Clip")
                 .input(Tensor::from_vector<float>({5}, F{-2, -1, 0, 1, 2}))
                 .input(Tensor::from_vector<float>({}, F{-1}))
                 .input(Tensor::from_vector<float>({}, F{1}))
                 .run_one();
  expect_float_tensor(y, {5}, {-1, -1, 0, 1, 1});
}

TEST(EngineClipTest, OmittedBounds) {
  Tensor hi_only = OpCase("Clip")
                       .input(Tensor::from_vector<float>({3}, F{-5, 0, 5}))
                       .omitted()
                       .input(Tensor::from_vector<float>({}, F{1}))
                       .run_one();
  expect_float_tensor(hi_only, {3}, {-5, 0, 1});
  Tensor lo_only = OpCase("Clip")
                       .input(Tensor::from_vector<float>({3}, F{-5, 0, 5}))
                       .input(Tensor::from_vector<float>({}, F{-1}))
                       .run_one();
  expect_float_tensor(lo_only, {3}, {-1, 0, 5});
  Tensor none = OpCase("Clip").input(Tensor::from_vector<float>({3}, F{-5, 0, 5})).run_one();
  expect_float_tensor(none, {3}, {-5, 0, 5});
}

TEST(EngineClipTest, Integers) {
  Tensor y = OpCase("Clip", 13)
                 .input(Tensor::from_vector<int64_t>({4}, I{-10, 3, 7, 100}))
                 .input(Tensor::from_vector<int64_t>({}, I{0}))
                 .input(Tensor::from_vector<int64_t>({}, I{10}))
                 .run_one();
  expect_int64_tensor(y, {4}, {0, 3, 7, 10});
}

TEST(EngineClipTest, AttributesBeforeOpset11) {
  Tensor y = OpCase("Clip", 10)
                 .input(Tensor::from_vector<float>({5}, F{-2, -1, 0, 1, 2}))
                 .attr("min", -0.5f)
                 .attr("max", 1.5f)
                 .run_one();
  expect_float_tensor(y, {5}, {-0.5f, -0.5f, 0, 1, 1.5f});
  Tensor d = OpCase("Clip", 7)
                 .input(Tensor::from_vector<double>({2}, D{-2, 2}))
                 .attr("max", 0.0f)
                 .run_one();
  EXPECT_EQ(d.to_vector<double>(), (D{-2, 0}));
}

TEST(EngineClipTest, MinAttributeRejectedFromOpset11) {
  auto r = OpCase("Clip", 11).input(Tensor::from_vector<float>({1}, F{1})).attr("min", 0.0f).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("\"min\""), std::string::npos) << r.status().message();
}

TEST(EngineClipTest, NonScalarBoundAndWrongDtypeFail) {
  EXPECT_FALSE(OpCase("Clip")
                   .input(Tensor::from_vector<float>({2}, F{1, 2}))
                   .input(Tensor::from_vector<float>({2}, F{0, 0}))
                   .run()
                   .ok());
  EXPECT_FALSE(OpCase("Clip")
                   .input(Tensor::from_vector<float>({2}, F{1, 2}))
                   .input(Tensor::from_vector<double>({}, D{0}))
                   .run()
                   .ok());
  auto r = OpCase("Clip").input(Tensor::from_vector<bool>({1}, B{true})).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype bool"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
