// The serving layer's vocabulary, free of any protocol: what a model instance is configured with,
// what a request carries in and out, and the statistics it keeps.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/exec/session.h"
#include "engine/ir/tensor.h"

namespace modelhost::serving {

using Clock = std::chrono::steady_clock;

// How one served model is set up. Filled from the command line (modelhost run) or the controller.
struct ModelConfig {
  std::string name;
  std::string version = "1";
  std::string platform = "onnx";
  // 0 disables batching: shapes are served exactly as the model declares them. >= 1 requires a
  // batchable model (leading -1 dim on every input and output) and caps rows per execution.
  int max_batch_size = 0;
  // How long the batcher may hold the first request of a batch waiting for more.
  int64_t batch_delay_us = 0;
  // Requests waiting beyond this many answer 503 with Retry-After.
  int max_queue_size = 1024;
  // Deadline applied to each request unless it asks for a shorter one; 0 = none.
  int64_t default_timeout_us = 30'000'000;
  int intra_op_threads = 1;
};

// What the protocol layer knows about a served model: its config and the engine's signature.
struct ModelInfo {
  ModelConfig config;
  engine::ModelSignature signature;
};

struct InferResponse {
  Status status;
  // Every model output, in signature order (the protocol picks what the client asked for).
  std::vector<engine::Tensor> outputs;
  uint64_t queue_ns = 0;    // enqueue -> batch start
  uint64_t compute_ns = 0;  // batch start -> outputs split
  int batch_size = 0;       // rows in the execution this request was part of
};

// One inference request, already decoded and validated against the signature.
// `on_complete` is called exactly once, from a compute thread (or the submitting thread when the
// request is refused up front); it must not block.
struct InferRequest {
  std::string id;
  std::vector<engine::Tensor> inputs;  // signature order
  Clock::time_point arrival = Clock::now();
  Clock::time_point deadline = Clock::time_point::max();
  std::function<void(InferResponse&&)> on_complete;
  // Rows along dim 0 (1 when the model is not batched).
  int64_t batch_rows = 1;
};

struct StatDuration {
  uint64_t count = 0;
  uint64_t ns = 0;
  void add(uint64_t n) {
    ++count;
    ns += n;
  }
};

struct BatchStat {
  StatDuration compute_input, compute_infer, compute_output;
};

// The Open Inference Protocol statistics schema (Triton's), kept per model version.
struct ModelStatistics {
  uint64_t last_inference_ms = 0;  // since the epoch
  uint64_t inference_count = 0;    // requests (rows) that succeeded
  uint64_t execution_count = 0;    // batches executed
  StatDuration success, fail, queue, compute_input, compute_infer, compute_output, cache_hit,
      cache_miss;
  std::map<int, BatchStat> batch_stats;  // by batch size
};

}  // namespace modelhost::serving
