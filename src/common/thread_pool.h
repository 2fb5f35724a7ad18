// ThreadPool: a fixed set of worker threads.
//
// submit() queues a task; parallel_for() splits [0, n) into chunks, runs them on the pool and on
// the calling thread, and returns when all are done. Tasks must not throw. The destructor drains
// the queue and joins the threads. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace modelhost {

class ThreadPool {
 public:
  // `threads` worker threads; 0 means every call runs inline on the caller.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(threads_.size()); }
  void submit(std::function<void()> task);

  // Calls fn(begin, end) over chunks of [0, n) of at least `min_chunk` items, in parallel.
  void parallel_for(int64_t n, int64_t min_chunk,
                    const std::function<void(int64_t, int64_t)>& fn);

 private:
  void worker_loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace modelhost
