#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using I = std::vector<int64_t>;

// Pool: unigrams 2, 3 (columns 0, 1) and bigrams (1, 2), (2, 3) (columns 2, 3).
OpCase vectorizer(const Tensor& x, const std::string& mode, int64_t min_gram, int64_t max_skip) {
  OpCase c("TfIdfVectorizer", 9);
  c.input(x)
      .attr("mode", mode)
      .attr("pool_int64s", I{2, 3, 1, 2, 2, 3})
      .attr("ngram_counts", I{0, 2})
      .attr("ngram_indexes", I{0, 1, 2, 3})
      .attr("min_gram_length", min_gram)
      .attr("max_gram_length", int64_t{2})
      .attr("max_skip_count", max_skip);
  return c;
}

Tensor batch() { return Tensor::from_vector<int64_t>({2, 5}, I{1, 2, 3, 2, 3, 3, 1, 1, 2, 4}); }

TEST(EngineTfIdfVectorizerTest, TermFrequencies) {
  Tensor y = vectorizer(batch(), "TF", 1, 0).run_one();
  expect_float_tensor(y, {2, 4}, {2, 2, 1, 2, 1, 1, 1, 0});
}

TEST(EngineTfIdfVectorizerTest, SkipsFindSpreadBigrams) {
  // Row 1 holds (1, _, 2): a bigram with one skipped item.
  Tensor y = vectorizer(batch(), "TF", 1, 1).run_one();
  expect_float_tensor(y, {2, 4}, {2, 2, 1, 2, 1, 1, 2, 0});
}

TEST(EngineTfIdfVectorizerTest, WeightedModes) {
  const std::vector<float> w{0.5f, 1, 2, 3};
  Tensor tfidf = vectorizer(batch(), "TFIDF", 1, 0).attr("weights", w).run_one();
  expect_float_tensor(tfidf, {2, 4}, {1, 2, 2, 6, 0.5f, 1, 2, 0});
  Tensor idf = vectorizer(Tensor::from_vector<int32_t>({5}, {1, 2, 3, 2, 3}), "IDF", 2, 0)
                   .attr("weights", w)
                   .run_one();
  expect_float_tensor(idf, {4}, {0, 0, 2, 3});
}

TEST(EngineTfIdfVectorizerTest, UnknownModeIsALoadError) {
  auto r = vectorizer(batch(), "BM25", 1, 0).run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("mode must be"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace modelhost::engine::testing
