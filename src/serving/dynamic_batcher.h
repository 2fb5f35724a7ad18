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
//
// Inline execution: when the model is measured to be cheap (average execution under
// kInlineComputeLimit), no batch delay is configured, the queue is empty and an instance is free,
// submit() runs the request on the calling thread instead of waking an instance thread. For a
// tiny model the two thread hand-offs (to the instance thread and back to the connection) cost
// more than the model itself; for a real model the queue path is always taken, so I/O threads
// never run long computations.
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

  // Executions averaging less than this may run inline on the submitting thread.
  static constexpr uint64_t kInlineComputeLimitNs = 50'000;

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
  bool try_run_inline(InferRequest& request);
  void note_compute_time(uint64_t ns);

  ModelConfig config_;
  std::shared_ptr<Backend> backend_;
  BatcherMetrics metrics_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<InferRequest> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
  int instances_ = 1;
  int busy_ = 0;  // executions running (instance threads and inline), guarded by mu_
  std::atomic<size_t> pending_{0};
  // Moving average of execution time, and whether it allows inline execution.
  std::atomic<uint64_t> compute_avg_ns_{0};
  std::atomic<uint64_t> executions_{0};
  std::atomic<bool> inline_eligible_{false};

  mutable std::mutex stats_mu_;
  ModelStatistics stats_;
};

}  // namespace modelhost::serving
