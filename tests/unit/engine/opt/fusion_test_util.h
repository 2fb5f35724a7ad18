// Shared by the fusion pass tests: run one model with and without the graph passes and compare.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "engine/exec/session.h"
#include "engine/test_util.h"

namespace modelhost::engine::testing {

// Values uniform in [lo, hi), reproducible per seed.
inline Tensor random_tensor(const Shape& shape, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  Tensor t = Tensor::allocate(DataType::kFloat32, shape);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  float* p = t.mutable_data<float>();
  for (int64_t i = 0; i < t.num_elements(); ++i) p[i] = dist(rng);
  return t;
}

// Op counts of the optimized graph (after the last pass).
inline std::map<std::string, int64_t> optimized_ops(const Session& s) {
  const auto& passes = s.metadata().passes;
  return passes.empty() ? s.metadata().op_counts : passes.back().op_counts;
}

// Loads `builder` with and without the passes, runs both on `inputs` and expects every output to
// agree within `tol` (absolute, scaled by the output's largest magnitude). Returns the op counts
// of the optimized graph.
inline std::map<std::string, int64_t> expect_same_with_passes(const ModelBuilder& builder,
                                                              const std::vector<Tensor>& inputs,
                                                              float tol = 1e-5f) {
  TempDir dir;
  const std::string path = builder.save(dir.path());
  SessionOptions plain_options;
  plain_options.optimize = false;
  auto plain = Session::create(path, plain_options);
  auto optimized = Session::create(path, SessionOptions{});
  EXPECT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_TRUE(optimized.ok()) << optimized.status().message();
  if (!plain.ok() || !optimized.ok()) return {};
  auto want = (*plain)->run(inputs);
  auto got = (*optimized)->run(inputs);
  EXPECT_TRUE(want.ok()) << want.status().message();
  EXPECT_TRUE(got.ok()) << got.status().message();
  if (!want.ok() || !got.ok()) return {};
  EXPECT_EQ(want->size(), got->size());
  for (size_t k = 0; k < want->size() && k < got->size(); ++k) {
    const Tensor& w = (*want)[k];
    const Tensor& g = (*got)[k];
    EXPECT_EQ(w.shape(), g.shape()) << "output " << k;
    if (w.shape() != g.shape()) continue;
    float scale = 1.f;
    for (int64_t i = 0; i < w.num_elements(); ++i) {
      scale = std::max(scale, std::abs(w.data<float>()[i]));
    }
    for (int64_t i = 0; i < w.num_elements(); ++i) {
      const float diff = std::abs(g.data<float>()[i] - w.data<float>()[i]);
      if (!(diff <= tol * scale)) {  // also catches NaN
        ADD_FAILURE() << "output " << k << " element " << i << ": " << g.data<float>()[i]
                      << " with the passes, " << w.data<float>()[i] << " without";
        break;
      }
    }
  }
  return optimized_ops(**optimized);
}

}  // namespace modelhost::engine::testing
