#include "worker/worker.h"

#include <functional>
#include <thread>

#include "common/logging.h"
#include "protocol/errors.h"

namespace modelhost::worker {

std::string_view outcome_for(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return "success";
    case StatusCode::kUnavailable:
      return "rejected";
    case StatusCode::kDeadlineExceeded:
      return "timeout";
    case StatusCode::kInternal:
    case StatusCode::kUnimplemented:
      return "error";
    default:
      return "invalid";
  }
}

Result<std::unique_ptr<Worker>> Worker::create(WorkerConfig config) {
  std::unique_ptr<Worker> w(new Worker());
  ASSIGN_OR_RETURN(std::shared_ptr<serving::Backend> backend,
                   serving::OnnxBackend::create(config.model_path, config.model.intra_op_threads,
                                                config.device));
  if (config.model.max_batch_size < 0) {
    config.model.max_batch_size = backend->signature().batchable ? 8 : 0;
  }
  w->info_.config = config.model;
  w->info_.signature = backend->signature();

  const prometheus::Labels labels{{"model", config.model.name}, {"version", config.model.version}};
  auto outcome = [&](const char* o) {
    prometheus::Labels l = labels;
    l.emplace_back("outcome", o);
    return &w->registry_.counter("modelhost_requests_total",
                                 "Inference requests by model and outcome.", l);
  };
  w->metrics_.success = outcome("success");
  w->metrics_.invalid = outcome("invalid");
  w->metrics_.rejected = outcome("rejected");
  w->metrics_.timeout = outcome("timeout");
  w->metrics_.error = outcome("error");
  w->metrics_.total_seconds = &w->registry_.histogram(
      "modelhost_request_duration_seconds",
      "Time from a request's arrival to its response being handed to the connection.", labels,
      prometheus::latency_buckets());
  w->metrics_.inflight = &w->registry_.gauge(
      "modelhost_inflight_requests", "Inference requests accepted and not yet answered.", labels);

  ASSIGN_OR_RETURN(w->batcher_, serving::DynamicBatcher::create(
                                    config.model, backend,
                                    serving::BatcherMetrics::create(w->registry_, config.model),
                                    config.instances));
  w->config_ = std::move(config);
  w->add_routes();
  Worker* self = w.get();
  ASSIGN_OR_RETURN(
      w->server_,
      http::Server::create(w->config_.http, [self](http::Request&& req, http::Responder responder) {
        self->router_.handle(std::move(req), std::move(responder));
      }));
  return w;
}

Worker::~Worker() {
  if (server_) server_->stop();
  if (batcher_) batcher_->shutdown();
}

void Worker::start() {
  server_->start();
  LOG_INFO("listening")
      .kv("host", config_.http.host)
      .kv("port", static_cast<int>(server_->port()))
      .kv("model", info_.config.name)
      .kv("version", info_.config.version)
      .kv("max_batch_size", info_.config.max_batch_size)
      .kv("batch_delay_us", info_.config.batch_delay_us);
}

bool Worker::drain_and_stop(std::chrono::milliseconds timeout) {
  draining_.store(true);
  LOG_INFO("draining").kv("pending", static_cast<int64_t>(batcher_->pending()));
  const auto until = std::chrono::steady_clock::now() + timeout;
  bool drained = false;
  while (std::chrono::steady_clock::now() < until) {
    if (batcher_->pending() == 0 && metrics_.inflight->value() <= 0) {
      drained = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // Let the last responses reach their sockets before closing connections.
  const auto flush_until =
      std::min(until, std::chrono::steady_clock::now() + std::chrono::milliseconds(500));
  while (server_->active_requests() > 0 && std::chrono::steady_clock::now() < flush_until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  server_->stop_accepting();
  batcher_->shutdown();
  server_->stop();
  LOG_INFO("stopped").kv("drained", drained);
  return drained;
}

Status Worker::check_model(const http::PathParams& params) const {
  auto name = params.get("model");
  if (name != info_.config.name) {
    return not_found("unknown model \"" + std::string(name) + "\"; this server serves \"" +
                     info_.config.name + "\"");
  }
  if (auto v = params.get("version"); !v.empty()) {
    if (v != info_.config.version) {
      return not_found("unknown version \"" + std::string(v) + "\" of model \"" +
                       info_.config.name + "\"; available: " + info_.config.version);
    }
  }
  return Status();
}

void Worker::record(std::string_view outcome, serving::Clock::time_point arrival) {
  prometheus::Counter* c = outcome == "success"    ? metrics_.success
                           : outcome == "invalid"  ? metrics_.invalid
                           : outcome == "rejected" ? metrics_.rejected
                           : outcome == "timeout"  ? metrics_.timeout
                                                   : metrics_.error;
  c->inc();
  metrics_.total_seconds->observe(
      std::chrono::duration<double>(serving::Clock::now() - arrival).count());
}

serving::Clock::time_point Worker::deadline_for(serving::Clock::time_point arrival,
                                                std::optional<int64_t> timeout_us) const {
  int64_t us = info_.config.default_timeout_us;
  if (timeout_us && *timeout_us > 0 && (us == 0 || *timeout_us < us)) us = *timeout_us;
  if (us <= 0) return serving::Clock::time_point::max();
  return arrival + std::chrono::microseconds(us);
}

void Worker::send_error(http::Responder& responder, const Status& status) {
  http::Response res{static_cast<http::beast_http::status>(http::http_status_for(status.code())),
                     11};
  res.set(http::beast_http::field::content_type, "application/json");
  if (status.code() == StatusCode::kUnavailable) res.set(http::beast_http::field::retry_after, "1");
  res.body() = protocol::error_body(status.message());
  responder.send(std::move(res));
}

bool Worker::refuse_if_draining(http::Responder& responder, serving::Clock::time_point arrival) {
  if (!draining_.load()) return false;
  record("rejected", arrival);
  send_error(responder, unavailable("server is shutting down"));
  return true;
}

void Worker::refuse_invalid(http::Responder& responder, const Status& status,
                            serving::Clock::time_point arrival) {
  record("invalid", arrival);
  send_error(responder, status);
}

void Worker::submit(std::vector<engine::Tensor> inputs, int64_t batch_rows,
                    serving::Clock::time_point arrival, std::optional<int64_t> timeout_us,
                    http::Responder responder, Encoder encode) {
  serving::InferRequest ir;
  ir.inputs = std::move(inputs);
  ir.batch_rows = batch_rows;
  ir.arrival = arrival;
  ir.deadline = deadline_for(arrival, timeout_us);
  metrics_.inflight->add(1);
  // std::function needs a copyable callable; the move-only Responder rides in a shared_ptr.
  ir.on_complete = [this, arrival, encode = std::move(encode),
                    responder = std::make_shared<http::Responder>(std::move(responder))](
                       serving::InferResponse&& resp) {
    metrics_.inflight->add(-1);
    record(outcome_for(resp.status), arrival);
    if (!resp.status.ok()) return send_error(*responder, resp.status);
    responder->send(encode(resp));
  };
  batcher_->submit(std::move(ir));
}

void Worker::add_routes() {
  add_health_routes();
  add_oip_model_routes();
  add_domino_routes();
}

}  // namespace modelhost::worker
