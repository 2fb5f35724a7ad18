#include "engine/cpu/vec_math.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace modelhost::engine {
namespace {

double exact_gelu(double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); }

TEST(EngineVecMathTest, GeluMatchesTheErfFormulaAcrossTheRange) {
  // Odd length: the vector body and the scalar tail both run.
  std::vector<float> x;
  for (float v = -12.f; v <= 12.f; v += 0.00125f) x.push_back(v);
  x.push_back(1e-30f);
  x.push_back(-3.5e-8f);
  x.push_back(60.f);
  x.push_back(-60.f);
  if (x.size() % 8 == 0) x.push_back(0.25f);
  std::vector<float> y = x;
  cpu::gelu_inplace(y.data(), static_cast<int64_t>(y.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    const double want = exact_gelu(x[i]);
    ASSERT_NEAR(y[i], want, 2e-7 * std::max(1.0, std::abs(want))) << "x = " << x[i];
  }
}

TEST(EngineVecMathTest, GeluKeepsTheLimitsAndNaN) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> y = {inf, -inf, std::nanf(""), 0.f, -0.f, 1.f, 2.f, 3.f, inf};
  cpu::gelu_inplace(y.data(), static_cast<int64_t>(y.size()));
  EXPECT_EQ(y[0], inf);
  EXPECT_TRUE(std::isnan(y[1]) || y[1] == 0.f) << y[1];  // -inf * 0
  EXPECT_TRUE(std::isnan(y[2]));
  EXPECT_EQ(y[3], 0.f);
  EXPECT_EQ(y[8], inf) << "the scalar tail agrees with the vector body";
}

TEST(EngineVecMathTest, ExpShiftedMatchesExpAndSumsTheResults) {
  std::vector<float> x;
  for (float v = -80.f; v <= 20.f; v += 0.01f) x.push_back(v);
  if (x.size() % 8 == 0) x.push_back(0.5f);  // a scalar tail too
  std::vector<float> y = x;
  const float shift = 3.25f;
  const float sum = cpu::exp_shifted_inplace(y.data(), static_cast<int64_t>(y.size()), shift);
  double want_sum = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double want = std::exp(static_cast<double>(x[i] - shift));  // the same float argument
    want_sum += want;
    ASSERT_NEAR(y[i], want, 2e-7 * want) << "x = " << x[i];
  }
  EXPECT_NEAR(sum, want_sum, 1e-5 * want_sum);
}

TEST(EngineVecMathTest, ExpShiftedKeepsNaNAndFlushesHugeNegatives) {
  std::vector<float> y = {std::nanf(""), -1e4f, 0.f, 1.f, 2.f, 3.f, 4.f, 5.f, std::nanf(""), -1e4f};
  const float sum = cpu::exp_shifted_inplace(y.data(), static_cast<int64_t>(y.size()), 0.f);
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_TRUE(std::isnan(y[8])) << "the scalar tail agrees with the vector body";
  EXPECT_LT(y[1], 1e-37f);
  EXPECT_LT(y[9], 1e-37f);
  EXPECT_FLOAT_EQ(y[2], 1.f);
  EXPECT_TRUE(std::isnan(sum));
}

TEST(EngineVecMathTest, SigmoidAndSwishMatchTheirFormulasAcrossTheRange) {
  std::vector<float> x;
  for (float v = -40.f; v <= 40.f; v += 0.005f) x.push_back(v);
  x.push_back(1e-30f);
  x.push_back(-3.5e-8f);
  if (x.size() % 8 == 0) x.push_back(0.25f);  // a scalar tail too
  std::vector<float> s = x, w = x;
  cpu::sigmoid_inplace(s.data(), static_cast<int64_t>(s.size()));
  cpu::swish_inplace(w.data(), static_cast<int64_t>(w.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    const double sig = 1.0 / (1.0 + std::exp(-static_cast<double>(x[i])));
    ASSERT_NEAR(s[i], sig, 3e-7 * sig) << "x = " << x[i];
    ASSERT_NEAR(w[i], x[i] * sig, 3e-7 * std::abs(x[i] * sig) + 1e-38) << "x = " << x[i];
  }
}

TEST(EngineVecMathTest, SigmoidAndSwishKeepTheLimitsAndNaN) {
  const float inf = std::numeric_limits<float>::infinity();
  // Nine values: index 8 runs in the scalar tail, the others in the vector body.
  std::vector<float> s = {inf, -inf, std::nanf(""), 0.f, -1e4f, 1e4f, 1.f, 2.f, std::nanf("")};
  std::vector<float> w = s;
  cpu::sigmoid_inplace(s.data(), static_cast<int64_t>(s.size()));
  cpu::swish_inplace(w.data(), static_cast<int64_t>(w.size()));
  EXPECT_EQ(s[0], 1.f);
  EXPECT_LT(s[1], 1e-37f);
  EXPECT_TRUE(std::isnan(s[2]));
  EXPECT_EQ(s[3], 0.5f);
  EXPECT_LT(s[4], 1e-37f);
  EXPECT_EQ(s[5], 1.f);
  EXPECT_TRUE(std::isnan(s[8])) << "the scalar tail agrees with the vector body";
  EXPECT_EQ(w[0], inf);
  EXPECT_EQ(w[3], 0.f);
  EXPECT_GT(w[4], -1e-33f) << "swish(-1e4) is a tiny negative number, not -inf or NaN";
  EXPECT_LE(w[4], 0.f);
  EXPECT_EQ(w[5], 1e4f);
  EXPECT_TRUE(std::isnan(w[2]));
}

}  // namespace
}  // namespace modelhost::engine
