#include "engine/ir/arena.h"

#include <cstdlib>
#include <new>
#include <vector>

namespace modelhost::engine {
namespace {

thread_local BufferArena* g_current = nullptr;

}  // namespace

BufferArena::~BufferArena() {
  for (auto& [bytes, p] : free_) std::free(p);
}

std::shared_ptr<void> BufferArena::acquire(size_t bytes) {
  void* p = nullptr;
  size_t size = bytes;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = free_.lower_bound(bytes);
    if (it != free_.end() && it->first <= 2 * bytes) {
      size = it->first;
      p = it->second;
      free_.erase(it);
      stats_.free_bytes -= size;
      ++stats_.reused;
    } else {
      ++stats_.allocated;
    }
    stats_.in_use_bytes += size;
    if (stats_.in_use_bytes > stats_.peak_in_use_bytes) {
      stats_.peak_in_use_bytes = stats_.in_use_bytes;
    }
  }
  if (p == nullptr) {
    p = std::aligned_alloc(64, size);
    if (p == nullptr) {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.in_use_bytes -= size;
      throw std::bad_alloc();
    }
  }
  // The deleter keeps the arena alive for buffers that outlive the run.
  return std::shared_ptr<void>(p, [self = shared_from_this(), size](void* q) {
    self->give_back(q, size);
  });
}

void BufferArena::give_back(void* p, size_t bytes) {
  std::vector<void*> evicted;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.in_use_bytes -= bytes;
    free_.emplace(bytes, p);
    stats_.free_bytes += bytes;
    // Over the cap, the smallest free buffers go first: a large buffer is the one that costs a
    // fresh mapping and its page faults to get again, and the one the next run asks for.
    while (stats_.free_bytes > keep_factor_ * stats_.peak_in_use_bytes) {
      auto smallest = free_.begin();
      stats_.free_bytes -= smallest->first;
      evicted.push_back(smallest->second);
      free_.erase(smallest);
    }
  }
  for (void* q : evicted) std::free(q);
}

BufferArena::Stats BufferArena::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

ScopedArena::ScopedArena(BufferArena* arena) : previous_(g_current) { g_current = arena; }

ScopedArena::~ScopedArena() { g_current = previous_; }

BufferArena* ScopedArena::current() { return g_current; }

}  // namespace modelhost::engine
