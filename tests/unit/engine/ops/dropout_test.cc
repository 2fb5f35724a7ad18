#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineDropoutTest, InferenceIsIdentityWithAllTrueMask) {
  auto r = OpCase("Dropout", 13)
               .input(Tensor::from_vector<float>({2, 2}, F{1, -2, 3, 4}))
               .weight(Tensor::from_vector<float>({}, F{0.7f}))
               .outputs(2)
               .run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  expect_float_tensor((*r)[0], {2, 2}, {1, -2, 3, 4});
  ASSERT_EQ((*r)[1].dtype(), DataType::kBool);
  EXPECT_EQ((*r)[1].to_vector<bool>(), (std::vector<bool>{true, true, true, true}));
}

TEST(EngineDropoutTest, TrainingModeWithRatioIsAnError) {
  auto r = OpCase("Dropout", 13)
               .input(Tensor::from_vector<float>({2}, F{1, 2}))
               .weight(Tensor::from_vector<float>({}, F{0.5f}))
               .weight(Tensor::from_vector<bool>({}, {true}))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("training_mode = true"), std::string::npos)
      << r.status().message();
}

TEST(EngineDropoutTest, TrainingModeWithZeroRatioIsIdentity) {
  Tensor y = OpCase("Dropout", 13)
                 .input(Tensor::from_vector<float>({2}, F{1, 2}))
                 .weight(Tensor::from_vector<float>({}, F{0.0f}))
                 .weight(Tensor::from_vector<bool>({}, {true}))
                 .run_one();
  expect_float_tensor(y, {2}, {1, 2});
}

TEST(EngineDropoutTest, Opset7MaskHasTheInputDtype) {
  auto r = OpCase("Dropout", 7)
               .input(Tensor::from_vector<float>({3}, F{5, 6, 7}))
               .attr("ratio", 0.2f)
               .outputs(2)
               .run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  expect_float_tensor((*r)[0], {3}, {5, 6, 7});
  expect_float_tensor((*r)[1], {3}, {1, 1, 1});
}

TEST(EngineDropoutTest, BadRatioAttributeIsALoadError) {
  auto r =
      OpCase("Dropout", 7).input(Tensor::from_vector<float>({1}, F{1})).attr("ratio", 1.5f).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("ratio must be in [0, 1)"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
