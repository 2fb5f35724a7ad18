// A weight's repacked copy, made on first use and kept by the kernel across runs and across
// the session's concurrent runs (FusedConv's W in the layout oneDNN picks for the primitive,
// known only once the primitive exists).
//
// The kernels that use it are made by graph passes only for weights (initializers), so the
// tensor they get is the same buffer every run; the copy is still keyed by the buffer's address
// and a sample of its values, so that a tensor that is not a weight is repacked rather than
// computed with a stale copy.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>

#include "engine/ir/tensor.h"

namespace modelhost::engine::cpu {

// A sample of w's bytes (61 four-byte words spread over it), to tell a weight apart from
// whatever else later lands at its address.
inline uint64_t weight_fingerprint(const Tensor& w) {
  const auto* p = static_cast<const uint8_t*>(w.raw_data());
  const int64_t words = static_cast<int64_t>(w.byte_size() / 4);
  const int64_t step = std::max<int64_t>(1, words / 61);
  uint64_t h = static_cast<uint64_t>(words);
  for (int64_t i = 0; i < words; i += step) {
    uint32_t bits;
    std::memcpy(&bits, p + i * 4, sizeof bits);
    h = (h ^ bits) * 1099511628211ull;
  }
  return h;
}

template <typename Packed>
class WeightCache {
 public:
  // The packed form of w: the kept one when w is the weight it was made from, else make()'s
  // result, kept when `keep` (the kernel's W is known to be a weight).
  template <typename Make>
  std::shared_ptr<const Packed> get(const Tensor& w, bool keep, Make&& make) const {
    const uint64_t fp = weight_fingerprint(w);
    std::lock_guard<std::mutex> lock(mu_);
    if (packed_ && from_ == w.raw_data() && fingerprint_ == fp) return packed_;
    auto fresh = std::make_shared<const Packed>(make());
    if (keep) {
      packed_ = fresh;
      from_ = w.raw_data();
      fingerprint_ = fp;
    }
    return fresh;
  }

 private:
  mutable std::mutex mu_;
  mutable const void* from_ = nullptr;
  mutable uint64_t fingerprint_ = 0;
  mutable std::shared_ptr<const Packed> packed_;
};

}  // namespace modelhost::engine::cpu
