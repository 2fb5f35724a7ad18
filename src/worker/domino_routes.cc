// The Domino-style Model API route: POST /models/{model}/latest/model with {"data": {...}}.
#include <chrono>
#include <string>

#include "protocol/domino_json.h"
#include "worker/worker.h"

namespace modelhost::worker {

void Worker::add_domino_routes() {
  using http::beast_http::verb;
  router_.add(verb::post, "/models/{model}/latest/model",
              [this](http::Request&& req, const http::PathParams& p, http::Responder r) {
                const auto arrival = serving::Clock::now();
                if (Status s = check_model(p); !s.ok()) return send_error(r, s);
                if (refuse_if_draining(r, arrival)) return;
                auto decoded = protocol::decode_domino_request(req.body(), info_);
                if (!decoded.ok()) return refuse_invalid(r, decoded.status(), arrival);
                auto call = std::make_shared<protocol::DominoRequest>(std::move(decoded).value());
                auto inputs = std::move(call->inputs);
                // The caller's request id (the gateway always sends one), else a new one.
                const std::string id = http::request_id_of(req);
                submit(std::move(inputs), call->batch_rows, arrival, std::nullopt, std::move(r),
                       [this, call, id](serving::InferResponse& resp) {
                         const double model_ms =
                             static_cast<double>(resp.queue_ns + resp.compute_ns) / 1e6;
                         http::Response res{http::beast_http::status::ok, 11};
                         res.set(http::beast_http::field::content_type, "application/json");
                         res.set(http::kRequestIdField, id);
                         res.body() = protocol::encode_domino_response(info_, *call, resp.outputs,
                                                                       model_ms, id);
                         return res;
                       });
              });
}

}  // namespace modelhost::worker
