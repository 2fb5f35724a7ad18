// Worker: one model version served over HTTP — the process behind `modelhost run` (and, later,
// each instance the controller starts). Wires http -> protocol -> serving:
//
//   Server (Beast, I/O threads) -> Router -> OIP / Domino codecs -> DynamicBatcher -> engine
//
// I/O threads only decode and encode; compute runs on the batcher's instance threads, which
// hand the encoded response back to the connection through its Responder.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "common/prometheus.h"
#include "common/status.h"
#include "http/router.h"
#include "http/server.h"
#include "serving/dynamic_batcher.h"
#include "serving/types.h"

namespace modelhost::worker {

struct WorkerConfig {
  std::string model_path;
  // The execution provider (worker/device_flags.h); null runs on the CPU.
  std::shared_ptr<const engine::exec::DeviceProvider> device;
  // max_batch_size < 0 means "choose": 8 for a batchable model, else 0.
  serving::ModelConfig model;
  http::ServerConfig http;
  int instances = 1;  // instance threads executing batches
};

class Worker {
 public:
  static Result<std::unique_ptr<Worker>> create(WorkerConfig config);
  ~Worker();

  void start();
  uint16_t port() const { return server_->port(); }
  const serving::ModelInfo& model() const { return info_; }

  // Readiness turns false and new inference requests get 503; requests already accepted finish
  // (up to `timeout`); then the server stops. Returns false if the timeout cut the drain short.
  bool drain_and_stop(std::chrono::milliseconds timeout);

 private:
  Worker() = default;
  void add_routes();

  // Route groups, each in its own file.
  void add_health_routes();     // health_routes.cc: health, server metadata, /metrics
  void add_oip_model_routes();  // oip_routes.cc: model metadata, ready, config, stats, infer
  void add_domino_routes();     // domino_routes.cc

  // Checks `{model}` and the optional `{version}` path params against the served model.
  Status check_model(const http::PathParams& params) const;
  // Counts a finished request in the Prometheus series.
  void record(std::string_view outcome, serving::Clock::time_point arrival);
  // Builds the serving request's deadline from the default and an optional per-request timeout.
  serving::Clock::time_point deadline_for(serving::Clock::time_point arrival,
                                          std::optional<int64_t> timeout_us) const;
  // Answers an error with `{"error": ...}` and the mapped status (503 adds Retry-After).
  static void send_error(http::Responder& responder, const Status& status);
  // While draining, answers 503 and returns true.
  bool refuse_if_draining(http::Responder& responder, serving::Clock::time_point arrival);
  // Answers a request that failed to decode.
  void refuse_invalid(http::Responder& responder, const Status& status,
                      serving::Clock::time_point arrival);
  // Queues a decoded request with the batcher. On success `encode` builds the 200 reply from the
  // outputs (on an instance thread); any failure is answered with send_error.
  using Encoder = std::function<http::Response(serving::InferResponse&)>;
  void submit(std::vector<engine::Tensor> inputs, int64_t batch_rows,
              serving::Clock::time_point arrival, std::optional<int64_t> timeout_us,
              http::Responder responder, Encoder encode);

  WorkerConfig config_;
  serving::ModelInfo info_;
  prometheus::Registry registry_;
  std::unique_ptr<serving::DynamicBatcher> batcher_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  std::atomic<bool> draining_{false};

  struct RequestMetrics {
    prometheus::Counter* success = nullptr;
    prometheus::Counter* invalid = nullptr;
    prometheus::Counter* rejected = nullptr;
    prometheus::Counter* timeout = nullptr;
    prometheus::Counter* error = nullptr;
    prometheus::Histogram* total_seconds = nullptr;
    prometheus::Gauge* inflight = nullptr;
  } metrics_;
};

// "success" | "invalid" | "rejected" | "timeout" | "error" for a finished request's status.
std::string_view outcome_for(const Status& status);

}  // namespace modelhost::worker
