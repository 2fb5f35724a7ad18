#include "common/thread_pool.h"

#include <algorithm>
#include <atomic>
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

void ThreadPool::worker_loop() {
  for (;;) {
    std::function<void()> task;
    {
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
  const int64_t chunks = std::min(workers, (n + min_chunk - 1) / min_chunk);
  if (chunks <= 1) {
    fn(0, n);
    return;
  }
  const int64_t per = (n + chunks - 1) / chunks;

  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    int64_t remaining;
  };
  auto shared = std::make_shared<Shared>();
  shared->remaining = chunks - 1;
  for (int64_t c = 1; c < chunks; ++c) {
    const int64_t begin = c * per;
    const int64_t end = std::min(n, begin + per);
    submit([shared, begin, end, &fn] {
      if (begin < end) fn(begin, end);
      std::lock_guard lock(shared->mu);
      if (--shared->remaining == 0) shared->cv.notify_one();
    });
  }
  fn(0, std::min(n, per));
  std::unique_lock lock(shared->mu);
  shared->cv.wait(lock, [&] { return shared->remaining == 0; });
}

}  // namespace modelhost
