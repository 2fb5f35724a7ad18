// The gateway: model traffic on the controller's port, forwarded to the ready instances of a Model
// API with least-outstanding-requests balancing over kept-alive connections.
//
//   POST /models/{name}/latest/model            Domino-style JSON, the active version
//   POST /models/{name}/labels/{label}/model    the same, when the label names the active version
//   /v2/models/{name}[/versions/{v}][/ready|/infer|...]   Open Inference Protocol
//   /v2, /v2/health/live, /v2/health/ready      server level, for OIP clients
//
// Forwarding runs on the client connection's I/O thread with asynchronous upstream I/O, so no
// thread waits on an instance. A private Model API needs one of its access tokens (Authorization:
// Bearer <token>, or HTTP Basic with the token as user name and password), or a personal token of
// its owner or an admin; a public one needs nothing. No ready instance: 503 saying why; an instance
// that dies mid-request: 502 at once. Every answer carries X-Request-Id (the caller's or a new
// one), which is passed on to the instance. Requests, errors and latency are counted per Model API,
// per second for the last hour.
#pragma once

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "control/auth/users.h"
#include "control/models/models.h"
#include "control/orchestrator/orchestrator.h"
#include "http/async_upstream.h"
#include "http/router.h"

namespace modelhost::control {

// Seconds since the epoch: the clock TrafficStats is recorded and read by.
int64_t unix_now();

// Per-second request counts and latency histograms of one Model API over the last hour.
class TrafficStats {
 public:
  static constexpr int kBuckets = 48;  // latency buckets: 2^(i/2) microseconds
  struct Second {
    int64_t second = 0;  // unix time
    int64_t requests = 0;
    int64_t errors = 0;  // 5xx answers and failed forwards
    std::array<int64_t, kBuckets> latency{};
  };
  struct Summary {
    int64_t requests = 0;
    int64_t errors = 0;
    double requests_per_s = 0;
    double error_rate = 0;
    double p50_ms = 0, p90_ms = 0, p99_ms = 0;
  };

  void record(int64_t unix_second, double latency_us, bool error);
  // Over the last `window_s` seconds before `now_s`.
  Summary summary(int64_t now_s, int64_t window_s) const;
  // One point per `step_s` seconds over the last `window_s` seconds.
  std::vector<std::pair<int64_t, Summary>> series(int64_t now_s, int64_t window_s,
                                                  int64_t step_s) const;
  int64_t total_requests() const;

 private:
  static Summary summarize(const std::vector<const Second*>& seconds, int64_t window_s);
  mutable std::mutex mu_;
  std::deque<Second> seconds_;  // oldest first, at most an hour
  int64_t total_ = 0;
};

class Gateway {
 public:
  Gateway(ModelApis& models, Users& users, Orchestrator& orchestrator);

  void add_routes(http::Router& router);

  // The traffic of one Model API (a new, empty one if it had none).
  std::shared_ptr<TrafficStats> stats(const std::string& model);

  // Closes the idle upstream connections; call after the HTTP server has stopped.
  void close();

 private:
  // A Model API as the gateway needs it, cached for half a second.
  struct ModelInfo {
    ModelApi model;
    std::map<std::string, int64_t> labels;
    std::chrono::steady_clock::time_point fetched;
    std::shared_ptr<TrafficStats> stats;
  };
  // One request on its way to an instance (and, on a refused connection, to the next).
  struct Attempt {
    Gateway* gateway = nullptr;
    std::vector<Endpoint> endpoints;
    std::vector<bool> tried;
    size_t start = 0, current = 0;
    boost::asio::any_io_executor executor;
    http::Responder responder;
    std::shared_ptr<http::Request> req;
    std::string model, id;
    bool client_keep_alive = true;
    unsigned client_version = 11;
    std::function<void(bool)> record;
    static void next(const std::shared_ptr<Attempt>& self);
    static void done(const std::shared_ptr<Attempt>& self, Result<http::Response> res);
  };
  void forward(http::Request&& req, const http::PathParams& params, http::Responder r,
               const std::string& kind);
  Result<std::shared_ptr<const ModelInfo>> model_info(const std::string& name);
  Status authorize(const ModelApi& m, const http::Request& req);

  ModelApis& models_;
  Users& users_;
  Orchestrator& orchestrator_;
  std::shared_ptr<http::AsyncUpstreamPool> upstream_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const ModelInfo>> cache_;
  std::map<std::string, std::pair<Status, std::chrono::steady_clock::time_point>> auth_cache_;
  std::map<std::string, std::shared_ptr<TrafficStats>> stats_;
  std::atomic<uint64_t> rr_{0};
};

}  // namespace modelhost::control
