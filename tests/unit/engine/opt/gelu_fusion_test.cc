#include <gtest/gtest.h>

#include <cmath>

#include "engine/opt/fusion_test_util.h"
#include "engine/opt/pass.h"

namespace modelhost::engine {
namespace {

using testing::expect_same_with_passes;
using testing::ModelBuilder;
using testing::random_tensor;

Tensor scalar(float v) { return Tensor::from_vector<float>({}, {v}); }

// x * 0.5 * (1 + erf(x / sqrt 2)) in one of the spellings exporters produce.
enum class Spelling { kHalfLast, kHalfFirst, kHalfOnSum, kMulByInvSqrt2 };

ModelBuilder gelu(Spelling s) {
  ModelBuilder b(13);
  b.input("x", DataType::kFloat32, {3, 7});
  b.output("y", DataType::kFloat32, {3, 7});
  b.initializer("sqrt2", scalar(std::sqrt(2.f)));
  b.initializer("inv_sqrt2", scalar(std::sqrt(0.5f)));
  b.initializer("one", scalar(1.f));
  b.initializer("half", scalar(0.5f));
  if (s == Spelling::kMulByInvSqrt2) {
    b.node("Mul", {"x", "inv_sqrt2"}, {"d"});
  } else {
    b.node("Div", {"x", "sqrt2"}, {"d"});
  }
  b.node("Erf", {"d"}, {"e"});
  b.node("Add", {"e", "one"}, {"p"});
  switch (s) {
    case Spelling::kHalfLast:
    case Spelling::kMulByInvSqrt2:
      b.node("Mul", {"x", "p"}, {"xp"});
      b.node("Mul", {"xp", "half"}, {"y"});
      break;
    case Spelling::kHalfFirst:
      b.node("Mul", {"x", "half"}, {"h"});
      b.node("Mul", {"h", "p"}, {"y"});
      break;
    case Spelling::kHalfOnSum:
      b.node("Mul", {"p", "half"}, {"ph"});
      b.node("Mul", {"x", "ph"}, {"y"});
      break;
  }
  return b;
}

TEST(EngineGeluFusionTest, FusesEverySpelling) {
  for (Spelling s : {Spelling::kHalfLast, Spelling::kHalfFirst, Spelling::kHalfOnSum,
                     Spelling::kMulByInvSqrt2}) {
    auto ops = expect_same_with_passes(gelu(s), {random_tensor({3, 7}, 51, -4.f, 4.f)});
    EXPECT_EQ(ops["Gelu"], 1) << static_cast<int>(s);
    EXPECT_EQ(ops.size(), 1u) << static_cast<int>(s);
  }
}

TEST(EngineGeluFusionTest, LeavesAnErfWithAnotherConstant) {
  ModelBuilder b = gelu(Spelling::kHalfLast);
  // Dividing by 2 instead of sqrt(2) is not GELU.
  for (auto& init : *b.proto().mutable_graph()->mutable_initializer()) {
    if (init.name() == "sqrt2") {
      float two = 2.f;
      init.set_raw_data(std::string(reinterpret_cast<const char*>(&two), sizeof two));
    }
  }
  auto ops = expect_same_with_passes(b, {random_tensor({3, 7}, 52)});
  EXPECT_EQ(ops.count("Gelu"), 0u);
  EXPECT_EQ(ops["Erf"], 1);
}

}  // namespace
}  // namespace modelhost::engine
