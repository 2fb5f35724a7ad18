#include "serving/dynamic_batcher.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "common/logging.h"

namespace modelhost::serving {
namespace {

uint64_t ns_between(Clock::time_point a, Clock::time_point b) {
  return b > a ? static_cast<uint64_t>(
                     std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count())
               : 0;
}

double seconds(uint64_t ns) { return static_cast<double>(ns) * 1e-9; }

// Two requests can share a batch when every input has the same dtype and the same dims after
// the batch dim.
bool compatible(const InferRequest& a, const InferRequest& b) {
  if (a.inputs.size() != b.inputs.size()) return false;
  for (size_t i = 0; i < a.inputs.size(); ++i) {
    const auto& x = a.inputs[i];
    const auto& y = b.inputs[i];
    if (x.dtype() != y.dtype() || x.rank() != y.rank() || x.rank() == 0) return false;
    if (!std::equal(x.shape().begin() + 1, x.shape().end(), y.shape().begin() + 1)) return false;
  }
  return true;
}

uint64_t unix_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

BatcherMetrics BatcherMetrics::create(prometheus::Registry& registry, const ModelConfig& config) {
  prometheus::Labels labels{{"model", config.name}, {"version", config.version}};
  BatcherMetrics m;
  m.queue_seconds = &registry.histogram("modelhost_queue_duration_seconds",
                                        "Time requests waited in the batcher queue.", labels,
                                        prometheus::latency_buckets());
  m.compute_seconds = &registry.histogram(
      "modelhost_compute_duration_seconds",
      "Time from batch start to outputs split (input copy, inference, output split).", labels,
      prometheus::latency_buckets());
  m.batch_size = &registry.histogram(
      "modelhost_batch_size", "Rows per model execution.", labels,
      prometheus::power_of_two_buckets(std::max(config.max_batch_size, 1)));
  return m;
}

Result<std::unique_ptr<DynamicBatcher>> DynamicBatcher::create(const ModelConfig& config,
                                                               std::shared_ptr<Backend> backend,
                                                               BatcherMetrics metrics,
                                                               int instances) {
  if (config.max_batch_size < 0) {
    return invalid_argument("max batch size must be >= 0, got " +
                            std::to_string(config.max_batch_size));
  }
  if (config.max_batch_size >= 1 && !backend->signature().batchable) {
    return invalid_argument(
        "model \"" + config.name +
        "\" cannot be batched: every input and output needs a variable leading (batch) "
        "dimension; serve it with --max-batch-size 0");
  }
  if (config.max_queue_size < 1) {
    return invalid_argument("max queue size must be >= 1, got " +
                            std::to_string(config.max_queue_size));
  }
  if (config.batch_delay_us < 0) {
    return invalid_argument("batch delay must be >= 0 µs, got " +
                            std::to_string(config.batch_delay_us));
  }
  std::unique_ptr<DynamicBatcher> b(new DynamicBatcher(config, std::move(backend), metrics));
  b->instances_ = std::max(instances, 1);
  for (int i = 0; i < b->instances_; ++i) {
    b->threads_.emplace_back([p = b.get()] { p->instance_loop(); });
  }
  return b;
}

DynamicBatcher::DynamicBatcher(const ModelConfig& config, std::shared_ptr<Backend> backend,
                               BatcherMetrics metrics)
    : config_(config), backend_(std::move(backend)), metrics_(metrics) {}

DynamicBatcher::~DynamicBatcher() { shutdown(); }

void DynamicBatcher::shutdown() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

bool DynamicBatcher::try_run_inline(InferRequest& request) {
  if (config_.batch_delay_us != 0 || !inline_eligible_.load(std::memory_order_relaxed)) {
    return false;
  }
  {
    std::lock_guard lock(mu_);
    if (stopping_ || !queue_.empty() || busy_ >= instances_) return false;
    ++busy_;
    pending_.fetch_add(1, std::memory_order_relaxed);
  }
  const auto start = Clock::now();
  if (request.deadline <= start) {
    InferResponse response;
    response.status = deadline_exceeded("request deadline passed before it could run");
    complete(request, std::move(response), false);
  } else {
    run_alone(request, start);
  }
  bool queued;
  {
    std::lock_guard lock(mu_);
    --busy_;
    queued = !queue_.empty();
  }
  if (queued) cv_.notify_one();
  return true;
}

void DynamicBatcher::note_compute_time(uint64_t ns) {
  // Exponential moving average with weight 1/8; races between instances only blur it.
  const uint64_t avg = compute_avg_ns_.load(std::memory_order_relaxed);
  const uint64_t next = avg == 0 ? ns : avg - avg / 8 + ns / 8;
  compute_avg_ns_.store(next, std::memory_order_relaxed);
  const uint64_t n = executions_.fetch_add(1, std::memory_order_relaxed) + 1;
  inline_eligible_.store(n >= 8 && next < kInlineComputeLimitNs, std::memory_order_relaxed);
}

void DynamicBatcher::submit(InferRequest&& request) {
  if (try_run_inline(request)) return;
  Status refused;
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      refused = unavailable("model \"" + config_.name + "\" is shutting down");
    } else if (queue_.size() >= static_cast<size_t>(config_.max_queue_size)) {
      refused = unavailable("model \"" + config_.name + "\" is overloaded: " +
                            std::to_string(queue_.size()) +
                            " requests are queued (the limit); retry later");
    } else {
      pending_.fetch_add(1, std::memory_order_relaxed);
      queue_.push_back(std::move(request));
    }
  }
  if (!refused.ok()) {
    InferResponse response;
    response.status = std::move(refused);
    request.on_complete(std::move(response));
    return;
  }
  cv_.notify_one();
}

std::vector<InferRequest> DynamicBatcher::next_batch() {
  std::vector<InferRequest> batch;
  std::vector<InferRequest> expired;
  {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return batch;  // stopping, nothing left

      const int64_t max_rows = config_.max_batch_size;
      if (max_rows > 1 && config_.batch_delay_us > 0 && !stopping_) {
        // Hold the oldest request up to the delay while rows keep arriving.
        const auto until = queue_.front().arrival + std::chrono::microseconds(config_.batch_delay_us);
        cv_.wait_until(lock, until, [&] {
          if (stopping_ || queue_.empty()) return true;
          int64_t rows = 0;
          for (const auto& r : queue_) {
            rows += r.batch_rows;
            if (rows >= max_rows) return true;
          }
          return false;
        });
        if (queue_.empty()) continue;  // another instance took them
      }

      const auto now = Clock::now();
      // Drop expired requests from the front.
      while (!queue_.empty() && queue_.front().deadline <= now) {
        expired.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      if (queue_.empty()) break;

      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
      ++busy_;  // released by instance_loop after the batch ran
      int64_t rows = batch.front().batch_rows;
      if (max_rows > 1) {
        // Scan a bounded window for compatible requests, oldest first.
        size_t scanned = 0;
        for (auto it = queue_.begin();
             it != queue_.end() && rows < max_rows && scanned < 4 * static_cast<size_t>(max_rows);
             ++scanned) {
          if (it->deadline <= now) {
            expired.push_back(std::move(*it));
            it = queue_.erase(it);
          } else if (rows + it->batch_rows <= max_rows && compatible(batch.front(), *it)) {
            rows += it->batch_rows;
            batch.push_back(std::move(*it));
            it = queue_.erase(it);
          } else {
            ++it;
          }
        }
      }
      break;
    }
  }
  for (auto& r : expired) {
    InferResponse response;
    response.status = deadline_exceeded("request deadline passed after " +
                                        std::to_string(ns_between(r.arrival, Clock::now()) / 1000) +
                                        " µs in the queue; it was not run");
    complete(r, std::move(response), false);
  }
  if (batch.empty() && !expired.empty()) return next_batch();
  return batch;
}

void DynamicBatcher::instance_loop() {
  for (;;) {
    std::vector<InferRequest> batch = next_batch();
    if (batch.empty()) return;
    execute_batch(batch);
    std::lock_guard lock(mu_);
    --busy_;
  }
}

void DynamicBatcher::complete(InferRequest& request, InferResponse&& response, bool success) {
  const auto done = Clock::now();
  {
    std::lock_guard lock(stats_mu_);
    const uint64_t total = ns_between(request.arrival, done);
    if (success) {
      stats_.success.add(total);
      stats_.inference_count += static_cast<uint64_t>(request.batch_rows);
      stats_.last_inference_ms = unix_ms();
    } else {
      stats_.fail.add(total);
    }
  }
  auto callback = std::move(request.on_complete);
  callback(std::move(response));
  pending_.fetch_sub(1, std::memory_order_relaxed);
}

void DynamicBatcher::run_alone(InferRequest& request, Clock::time_point start) {
  auto t0 = Clock::now();
  auto outputs = backend_->execute(request.inputs);
  auto t1 = Clock::now();
  note_compute_time(ns_between(t0, t1));
  InferResponse response;
  response.queue_ns = ns_between(request.arrival, start);
  response.compute_ns = ns_between(t0, t1);
  response.batch_size = static_cast<int>(request.batch_rows);
  {
    std::lock_guard lock(stats_mu_);
    stats_.execution_count++;
    stats_.queue.add(response.queue_ns);
    stats_.compute_input.add(0);
    stats_.compute_infer.add(response.compute_ns);
    stats_.compute_output.add(0);
    auto& bs = stats_.batch_stats[response.batch_size];
    bs.compute_input.add(0);
    bs.compute_infer.add(response.compute_ns);
    bs.compute_output.add(0);
  }
  if (metrics_.batch_size) {
    metrics_.batch_size->observe(static_cast<double>(request.batch_rows));
    metrics_.queue_seconds->observe(seconds(response.queue_ns));
    metrics_.compute_seconds->observe(seconds(response.compute_ns));
  }
  bool ok = outputs.ok();
  if (ok) {
    response.outputs = std::move(outputs).value();
  } else {
    response.status = outputs.status();
  }
  complete(request, std::move(response), ok);
}

void DynamicBatcher::execute_batch(std::vector<InferRequest>& batch) {
  const auto start = Clock::now();
  if (batch.size() == 1) {
    run_alone(batch.front(), start);
    return;
  }

  // Concatenate each input along dim 0.
  int64_t total_rows = 0;
  for (const auto& r : batch) total_rows += r.batch_rows;
  const auto& first = batch.front().inputs;
  std::vector<engine::Tensor> inputs;
  inputs.reserve(first.size());
  for (size_t i = 0; i < first.size(); ++i) {
    engine::Shape shape = first[i].shape();
    shape[0] = total_rows;
    engine::Tensor t = engine::Tensor::allocate(first[i].dtype(), shape);
    auto* dst = static_cast<char*>(t.mutable_raw_data());
    for (const auto& r : batch) {
      std::memcpy(dst, r.inputs[i].raw_data(), r.inputs[i].byte_size());
      dst += r.inputs[i].byte_size();
    }
    inputs.push_back(std::move(t));
  }
  const auto t_in = Clock::now();
  auto result = backend_->execute(inputs);
  const auto t_infer = Clock::now();
  note_compute_time(ns_between(t_in, t_infer));

  bool split_ok = result.ok();
  if (split_ok) {
    for (const auto& out : *result) {
      if (out.rank() == 0 || out.shape()[0] != total_rows) split_ok = false;
    }
  }
  if (!split_ok) {
    // Either the batch failed or the model's outputs do not follow the batch dim: run each
    // request on its own so that each gets its own result or its own error.
    if (!result.ok()) {
      LOG_DEBUG("batch failed; re-running its requests one by one")
          .kv("model", config_.name)
          .kv("requests", static_cast<int64_t>(batch.size()))
          .kv("error", result.status().message());
    }
    for (auto& r : batch) run_alone(r, start);
    return;
  }

  // Split outputs back per request as views of the batch outputs.
  std::vector<std::shared_ptr<const engine::Tensor>> keep;
  keep.reserve(result->size());
  for (auto& out : *result) keep.push_back(std::make_shared<const engine::Tensor>(std::move(out)));
  std::vector<std::vector<engine::Tensor>> per_request(batch.size());
  int64_t row = 0;
  for (size_t k = 0; k < batch.size(); ++k) {
    const int64_t rows = batch[k].batch_rows;
    per_request[k].reserve(keep.size());
    for (const auto& out : keep) {
      const size_t row_bytes = out->byte_size() / static_cast<size_t>(total_rows);
      engine::Shape shape = out->shape();
      shape[0] = rows;
      const auto* base = static_cast<const char*>(out->raw_data());
      per_request[k].push_back(engine::Tensor::view(out->dtype(), std::move(shape),
                                                    base + static_cast<size_t>(row) * row_bytes,
                                                    out));
    }
    row += rows;
  }
  const auto t_out = Clock::now();

  const uint64_t in_ns = ns_between(start, t_in);
  const uint64_t infer_ns = ns_between(t_in, t_infer);
  const uint64_t out_ns = ns_between(t_infer, t_out);
  {
    std::lock_guard lock(stats_mu_);
    stats_.execution_count++;
    auto& bs = stats_.batch_stats[static_cast<int>(total_rows)];
    bs.compute_input.add(in_ns);
    bs.compute_infer.add(infer_ns);
    bs.compute_output.add(out_ns);
    for (const auto& r : batch) {
      stats_.queue.add(ns_between(r.arrival, start));
      stats_.compute_input.add(in_ns);
      stats_.compute_infer.add(infer_ns);
      stats_.compute_output.add(out_ns);
    }
  }
  if (metrics_.batch_size) metrics_.batch_size->observe(static_cast<double>(total_rows));
  for (size_t k = 0; k < batch.size(); ++k) {
    InferResponse response;
    response.outputs = std::move(per_request[k]);
    response.queue_ns = ns_between(batch[k].arrival, start);
    response.compute_ns = ns_between(start, t_out);
    response.batch_size = static_cast<int>(total_rows);
    if (metrics_.queue_seconds) {
      metrics_.queue_seconds->observe(seconds(response.queue_ns));
      metrics_.compute_seconds->observe(seconds(response.compute_ns));
    }
    complete(batch[k], std::move(response), true);
  }
}

ModelStatistics DynamicBatcher::statistics() const {
  std::lock_guard lock(stats_mu_);
  return stats_;
}

}  // namespace modelhost::serving
