// TfIdfVectorizer (opset 9+): counts, per row of an int32 / int64 input [C] or [B, C], the n-grams
// of the pool (pool_int64s, grouped by size through ngram_counts) with lengths in
// [min_gram_length, max_gram_length] and up to max_skip_count items skipped between grams; each
// n-gram's count goes to output column ngram_indexes[i]. mode TF gives the counts, IDF weights[i]
// (or 1) where the count is non-zero, TFIDF weights[i] * count. Output float32 [output_size] or
// [B, output_size], output_size = max(ngram_indexes) + 1. Follows the ONNX reference matching
// order (unigrams counted once, longer grams once per skip distance). String pools are not
// supported (the engine has no string tensors).
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

enum class TfIdfMode { kTf, kIdf, kTfIdf };

// A trie of the pool's n-grams: node 0 is the root; `id` is 1 + the n-gram's pool position at the
// node that ends it, 0 for a prefix only.
struct GramTrie {
  struct Node {
    int64_t id = 0;
    std::map<int64_t, size_t> children;
  };
  std::vector<Node> nodes{Node{}};

  size_t child(size_t n, int64_t key) {
    auto it = nodes[n].children.find(key);
    if (it != nodes[n].children.end()) return it->second;
    nodes.push_back(Node{});
    nodes[n].children.emplace(key, nodes.size() - 1);
    return nodes.size() - 1;
  }
};

struct TfIdfConfig {
  int64_t min_gram = 1, max_gram = 1, max_skip = 0, output_size = 0;
  TfIdfMode mode = TfIdfMode::kTf;
  std::vector<int64_t> ngram_indexes;
  std::vector<float> weights;
  GramTrie trie;
};

class TfIdfVectorizerKernel final : public exec::Kernel {
 public:
  explicit TfIdfVectorizerKernel(TfIdfConfig cfg) : cfg_(std::move(cfg)) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    if (x.rank() > 2) {
      return invalid_argument("input must be [C] or [B, C], got " + shape_to_string(x.shape()));
    }
    ASSIGN_OR_RETURN(std::vector<int64_t> v, read_int_tensor(x, 0, "TfIdfVectorizer"));
    const int64_t rows = x.rank() == 2 ? x.shape()[0] : 1;
    const int64_t cols = x.rank() == 0 ? 1 : x.shape().back();
    Shape out_shape{cfg_.output_size};
    if (x.rank() == 2) out_shape.insert(out_shape.begin(), rows);
    RETURN_IF_ERROR(checked_num_elements(out_shape, sizeof(float)).status());
    std::vector<int64_t> freq(static_cast<size_t>(rows * cfg_.output_size), 0);
    const auto& nodes = cfg_.trie.nodes;
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t* row = v.data() + r * cols;
      int64_t start_size = cfg_.min_gram;
      for (int64_t skip = 1; skip <= cfg_.max_skip + 1; ++skip) {
        for (int64_t start = 0; start < cols; ++start) {
          if (start + skip * (start_size - 1) >= cols) break;
          size_t node = 0;
          int64_t size = 1;
          for (int64_t item = start;
               !nodes[node].children.empty() && size <= cfg_.max_gram && item < cols;
               item += skip, ++size) {
            auto it = nodes[node].children.find(row[item]);
            if (it == nodes[node].children.end()) break;
            node = it->second;
            const int64_t id = nodes[node].id;
            if (size >= start_size && id != 0) {
              ++freq[static_cast<size_t>(r * cfg_.output_size +
                                         cfg_.ngram_indexes[static_cast<size_t>(id - 1)])];
            }
          }
        }
        // Unigrams do not depend on the skip distance: count them on the first pass only.
        if (start_size == 1) {
          ++start_size;
          if (start_size > cfg_.max_gram) break;
        }
      }
    }
    Tensor y = Tensor::allocate(DataType::kFloat32, out_shape);
    float* o = y.mutable_data<float>();
    for (size_t i = 0; i < freq.size(); ++i) {
      const size_t col = i % static_cast<size_t>(cfg_.output_size);
      const float w = cfg_.weights.empty() ? 1.0f : cfg_.weights[col];
      switch (cfg_.mode) {
        case TfIdfMode::kTf:
          o[i] = static_cast<float>(freq[i]);
          break;
        case TfIdfMode::kIdf:
          o[i] = freq[i] > 0 ? w : 0.0f;
          break;
        case TfIdfMode::kTfIdf:
          o[i] = w * static_cast<float>(freq[i]);
          break;
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  TfIdfConfig cfg_;
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(
      node, {"max_gram_length", "max_skip_count", "min_gram_length", "mode", "ngram_counts",
             "ngram_indexes", "pool_int64s", "pool_strings", "weights"}));
  if (node.attributes.has("pool_strings")) {
    return unimplemented("pool_strings is not supported (no string tensors); use pool_int64s");
  }
  TfIdfConfig cfg;
  ASSIGN_OR_RETURN(cfg.min_gram, node.attributes.get_int("min_gram_length", 1));
  ASSIGN_OR_RETURN(cfg.max_gram, node.attributes.get_int("max_gram_length", 1));
  ASSIGN_OR_RETURN(cfg.max_skip, node.attributes.get_int("max_skip_count", 0));
  ASSIGN_OR_RETURN(std::string mode, node.attributes.get_string("mode", ""));
  if (mode == "TF") {
    cfg.mode = TfIdfMode::kTf;
  } else if (mode == "IDF") {
    cfg.mode = TfIdfMode::kIdf;
  } else if (mode == "TFIDF") {
    cfg.mode = TfIdfMode::kTfIdf;
  } else {
    return invalid_argument("mode must be \"TF\", \"IDF\" or \"TFIDF\", got \"" + mode + "\"");
  }
  if (cfg.min_gram < 1 || cfg.max_gram < cfg.min_gram || cfg.max_skip < 0) {
    return invalid_argument("need 1 <= min_gram_length <= max_gram_length and max_skip_count >= 0");
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> counts, node.attributes.get_ints("ngram_counts", {}));
  ASSIGN_OR_RETURN(cfg.ngram_indexes, node.attributes.get_ints("ngram_indexes", {}));
  ASSIGN_OR_RETURN(std::vector<int64_t> pool, node.attributes.get_ints("pool_int64s", {}));
  ASSIGN_OR_RETURN(cfg.weights, node.attributes.get_floats("weights", {}));
  if (cfg.ngram_indexes.empty()) return invalid_argument("ngram_indexes is required");
  for (int64_t i : cfg.ngram_indexes) {
    if (i < 0) return invalid_argument("ngram_indexes must be >= 0");
  }
  cfg.output_size = *std::max_element(cfg.ngram_indexes.begin(), cfg.ngram_indexes.end()) + 1;
  if (!cfg.weights.empty() && static_cast<int64_t>(cfg.weights.size()) < cfg.output_size) {
    return invalid_argument("weights must hold " + std::to_string(cfg.output_size) + " values");
  }
  // Build the trie from each size group of the pool: group i holds grams of size i + 1.
  int64_t id = 1;
  for (size_t i = 0; i < counts.size(); ++i) {
    const int64_t begin = counts[i];
    const int64_t end = i + 1 < counts.size() ? counts[i + 1] : static_cast<int64_t>(pool.size());
    const int64_t size = static_cast<int64_t>(i) + 1;
    if (begin < 0 || end < begin || end > static_cast<int64_t>(pool.size())) {
      return invalid_argument("ngram_counts " + shape_to_string(counts) +
                              " does not split pool_int64s of " + std::to_string(pool.size()) +
                              " items");
    }
    const int64_t grams = (end - begin) / size;
    if (size < cfg.min_gram || size > cfg.max_gram) {
      id += grams;
      continue;
    }
    for (int64_t g = 0; g < grams; ++g, ++id) {
      size_t n = 0;
      for (int64_t k = 0; k < size; ++k)
        n = cfg.trie.child(n, pool[static_cast<size_t>(begin + g * size + k)]);
      if (id - 1 >= static_cast<int64_t>(cfg.ngram_indexes.size())) {
        return invalid_argument("ngram_indexes has fewer entries than the pool has n-grams");
      }
      cfg.trie.nodes[n].id = id;
    }
  }
  return exec::make_kernel<TfIdfVectorizerKernel>(std::move(cfg));
}

MH_REGISTER_CPU_KERNEL(TfIdfVectorizer, 9, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu
