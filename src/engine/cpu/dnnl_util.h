// oneDNN plumbing shared by the kernels that use it: one CPU engine per process, a per-kernel
// cache of primitives keyed by input shape (kernels run concurrently from many threads, so the
// cache is guarded by a mutex and each run brings its own stream and scratchpad).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "engine/ir/tensor.h"

namespace modelhost::engine::cpu {

inline dnnl::engine& dnnl_cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// Primitives created on demand per input shape; `Entry` is immutable once built.
template <typename Entry>
class DnnlCache {
 public:
  template <typename Build>
  Result<std::shared_ptr<const Entry>> get(const Shape& key, Build&& build) const {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = entries_.find(key);
      if (it != entries_.end()) return it->second;
    }
    std::shared_ptr<const Entry> entry;
    try {
      ASSIGN_OR_RETURN(entry, build());
    } catch (const dnnl::error& e) {
      return internal_error(std::string("oneDNN: ") + e.what());
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (entries_.size() >= kMaxEntries) entries_.clear();
    entries_.emplace(key, entry);
    return entry;
  }

 private:
  static constexpr size_t kMaxEntries = 64;
  mutable std::mutex mu_;
  mutable std::map<Shape, std::shared_ptr<const Entry>> entries_;
};

// dnnl dims for a lifted 3-spatial-dim shape: 2 spatial dims when the op's rank allows, else 3.
inline dnnl::memory::dims dnnl_dims(std::vector<int64_t> v) {
  return dnnl::memory::dims(v.begin(), v.end());
}

}  // namespace modelhost::engine::cpu
