// BufferArena: where a run's intermediate tensors live.
//
// While a run is in progress on a thread (ScopedArena), Tensor::allocate on that thread takes
// its buffer from the run's arena instead of the heap. A buffer goes back to the arena's free
// list when its last tensor is released — the executor drops each value after its last reader,
// so later nodes of the same run reuse the memory of values that are dead (lifetime-based reuse)
// — and the next run that gets this arena reuses them again without touching the system
// allocator or faulting in fresh pages. The session keeps one arena per concurrently running
// call; weights never come from an arena, so they are shared by all runs.
//
// Free buffers are matched best-fit by size (at most twice the request, so a small tensor does
// not pin a large buffer). Since a buffer only serves requests up to twice smaller, a run needs
// free buffers of several sizes, more bytes in all than its peak; the arena keeps up to four
// times the largest amount its runs ever had in use at once, so that runs of the same shapes
// never go back to the system, and its memory still tracks the model's peak when shapes change.
// Over that cap the smallest free buffers are dropped first: large ones are the costly ones to
// get again (a fresh mapping and its page faults). Buffers that outlive
// the run (the outputs handed to the caller) return to the arena whenever the caller drops them;
// the arena stays alive until the last of them has.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>

namespace modelhost::engine {

class BufferArena : public std::enable_shared_from_this<BufferArena> {
 public:
  struct Stats {
    size_t in_use_bytes = 0;       // buffers held by live tensors
    size_t peak_in_use_bytes = 0;  // the most ever held at once
    size_t free_bytes = 0;         // cached for reuse
    size_t reused = 0;             // allocations served from the free list
    size_t allocated = 0;          // allocations that went to the system
  };

  // The arena keeps at most `keep_factor` times its peak in free buffers (see above).
  explicit BufferArena(size_t keep_factor = 4) : keep_factor_(keep_factor) {}
  ~BufferArena();
  BufferArena(const BufferArena&) = delete;
  BufferArena& operator=(const BufferArena&) = delete;

  // A 64-byte aligned buffer of at least `bytes` (a multiple of 64), owned by the returned
  // pointer: releasing it gives the buffer back to this arena. Throws std::bad_alloc.
  std::shared_ptr<void> acquire(size_t bytes);

  Stats stats() const;

 private:
  void give_back(void* p, size_t bytes);

  mutable std::mutex mu_;
  const size_t keep_factor_;
  std::multimap<size_t, void*> free_;  // size -> buffer
  Stats stats_;
};

// Routes Tensor::allocate on the current thread to `arena` until destroyed (nests).
class ScopedArena {
 public:
  explicit ScopedArena(BufferArena* arena);
  ~ScopedArena();
  ScopedArena(const ScopedArena&) = delete;
  ScopedArena& operator=(const ScopedArena&) = delete;

  // The arena of the current thread, or null.
  static BufferArena* current();

 private:
  BufferArena* previous_;
};

}  // namespace modelhost::engine
