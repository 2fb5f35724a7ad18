#include "common/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>

namespace modelhost {

ThreadPool::ThreadPool(int threads) {
  threads_.reserve(static_cast<size_t>(std::max(threads, 0)));
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadPool::submit(std::function<void()> task) {
  if (threads_.empty()) {
    task();
    return;
  }
  {
    std::lock_guard lock(mu_);
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
}

namespace {

// Intra-op work arrives in bursts: one parallel_for per kernel, kernels back to back. A thread
// that runs out of work stays awake this long before it sleeps, since waking a sleeping thread
// costs tens of microseconds (more on a virtual machine) every time. Short enough that an idle
// pool, or one on a machine busy with other work, gives its core back almost at once.
constexpr std::chrono::microseconds kSpin{50};

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

}  // namespace

void ThreadPool::worker_loop() {
  for (;;) {
    std::function<void()> task;
    const auto spin_until = std::chrono::steady_clock::now() + kSpin;
    bool got = false;
    while (!got && std::chrono::steady_clock::now() < spin_until) {
      std::unique_lock lock(mu_, std::try_to_lock);
      if (lock.owns_lock() && !tasks_.empty()) {
        task = std::move(tasks_.front());
        tasks_.pop_front();
        got = true;
      } else if (lock.owns_lock() && stopping_) {
        return;
      } else {
        lock = {};
        cpu_relax();
      }
    }
    if (!got) {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping and drained
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

void ThreadPool::parallel_for(int64_t n, int64_t min_chunk,
                              const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  min_chunk = std::max<int64_t>(min_chunk, 1);
  const int64_t workers = static_cast<int64_t>(threads_.size()) + 1;
  // A few chunks per thread, claimed one at a time: a worker that wakes late takes fewer, and
  // the caller never waits for one that has not started (a late worker finds nothing left).
  const int64_t max_chunks = std::min(workers * 4, (n + min_chunk - 1) / min_chunk);
  if (max_chunks <= 1) {
    fn(0, n);
    return;
  }
  const int64_t per = (n + max_chunks - 1) / max_chunks;
  const int64_t chunks = (n + per - 1) / per;

  struct Shared {
    std::atomic<int64_t> next{0};
    std::atomic<int64_t> done{0};
    std::mutex mu;
    std::condition_variable cv;
  };
  auto shared = std::make_shared<Shared>();
  // Claims and runs chunks until none is left. fn is only touched for a claimed chunk, and the
  // caller returns only after every chunk is done, so a task that starts late never sees fn.
  auto work = [shared, n, per, chunks, &fn] {
    for (int64_t c; (c = shared->next.fetch_add(1)) < chunks;) {
      fn(c * per, std::min(n, (c + 1) * per));
      if (shared->done.fetch_add(1) + 1 == chunks) {
        std::lock_guard lock(shared->mu);
        shared->cv.notify_one();
      }
    }
  };
  const int64_t helpers = std::min(workers, chunks) - 1;
  for (int64_t h = 0; h < helpers; ++h) submit(work);
  work();
  const auto spin_until = std::chrono::steady_clock::now() + kSpin;
  while (shared->done.load() < chunks && std::chrono::steady_clock::now() < spin_until) {
    cpu_relax();
  }
  std::unique_lock lock(shared->mu);
  shared->cv.wait(lock, [&] { return shared->done.load() == chunks; });
}

}  // namespace modelhost
