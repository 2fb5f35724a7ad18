// DynamicBatcher: a per-model queue between the protocol and the backend.
//
// submit() queues a validated request. An instance thread takes the oldest request and, when
// batching is on, waits up to batch_delay_us for more rows, then concatenates compatible
// requests (same non-batch dims) along dim 0 up to max_batch_size rows, runs the backend once
// and splits the outputs back per request (zero-copy views of the batch output).
//
// Guarantees:
// - every request's on_complete runs exactly once;
// - a full queue or a stopped batcher refuses at once with kUnavailable (HTTP 503);
// - a request whose deadline passes while queued is answered kDeadlineExceeded and never run;
// - if a batch fails, each of its requests is re-run alone, so one request's failure never
//   becomes another's.
// Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/prometheus.h"
#include "serving/backend.h"
#include "serving/types.h"

namespace modelhost::serving {

// Per-model Prometheus series, owned by a registry that outlives the batcher.
struct BatcherMetrics {
  prometheus::Histogram* queue_seconds = nullptr;
  prometheus::Histogram* compute_seconds = nullptr;
  prometheus::Histogram* batch_size = nullptr;
  static BatcherMetrics create(prometheus::Registry& registry, const ModelConfig& config);
};

class DynamicBatcher {
 public:
  static Result<std::unique_ptr<DynamicBatcher>> create(const ModelConfig& config,
                                                        std::shared_ptr<Backend> backend,
                                                        BatcherMetrics metrics,
                                                        int instances = 1);
  ~DynamicBatcher();

  void submit(InferRequest&& request);

  // Requests queued or executing.
  size_t pending() const { return pending_.load(std::memory_order_relaxed); }
  ModelStatistics statistics() const;

  // Refuses new requests, finishes everything queued, joins the threads. Idempotent.
  void shutdown();

 private:
  DynamicBatcher(const ModelConfig& config, std::shared_ptr<Backend> backend,
                 BatcherMetrics metrics);
  void instance_loop();
  // Pops the next batch; empty when stopping with nothing left.
  std::vector<InferRequest> next_batch();
  void execute_batch(std::vector<InferRequest>& batch);
  void run_alone(InferRequest& request, Clock::time_point start);
  void complete(InferRequest& request, InferResponse&& response, bool success);

  ModelConfig config_;
  std::shared_ptr<Backend> backend_;
  BatcherMetrics metrics_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<InferRequest> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
  std::atomic<size_t> pending_{0};

  mutable std::mutex stats_mu_;
  ModelStatistics stats_;
};

}  // namespace modelhost::serving
