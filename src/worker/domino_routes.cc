// The Domino-style Model API route: POST /models/{model}/latest/model with {"data": {...}}.
#include <chrono>

#include "common/ids.h"
#include "protocol/domino_json.h"
#include "worker/worker.h"

namespace modelhost::worker {

void Worker::add_domino_routes() {
  using http::beast_http::verb;
  router_.add(verb::post, "/models/{model}/latest/model", [this](http::Request&& req,
                                                                 const http::PathParams& p,
                                                                 http::Responder r) {
    const auto arrival = serving::Clock::now();
    if (Status s = check_model(p); !s.ok()) return send_error(r, s);
    if (draining_.load()) {
      record("rejected", arrival);
      return send_error(r, unavailable("server is shutting down"));
    }
    auto decoded = protocol::decode_domino_request(req.body(), info_);
    if (!decoded.ok()) {
      record("invalid", arrival);
      return send_error(r, decoded.status());
    }
    auto call = std::make_shared<protocol::DominoRequest>(std::move(decoded).value());
    serving::InferRequest ir;
    ir.inputs = std::move(call->inputs);
    ir.batch_rows = call->batch_rows;
    ir.arrival = arrival;
    ir.deadline = deadline_for(arrival, std::nullopt);
    metrics_.inflight->add(1);
    ir.on_complete = [this, call, arrival,
                      responder = std::make_shared<http::Responder>(std::move(r))](
                         serving::InferResponse&& resp) {
      metrics_.inflight->add(-1);
      record(outcome_for(resp.status), arrival);
      if (!resp.status.ok()) return send_error(*responder, resp.status);
      const double model_ms = static_cast<double>(resp.queue_ns + resp.compute_ns) / 1e6;
      http::Response res{http::beast_http::status::ok, 11};
      res.set(http::beast_http::field::content_type, "application/json");
      res.body() = protocol::encode_domino_response(info_, *call, resp.outputs, model_ms,
                                                    new_id("req-"));
      responder->send(std::move(res));
    };
    batcher_->submit(std::move(ir));
  });
}

}  // namespace modelhost::worker
