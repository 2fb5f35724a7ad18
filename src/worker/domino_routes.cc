// The Domino-style Model API route: POST /models/{model}/latest/model with {"data": {...}}.
#include <algorithm>
#include <chrono>
#include <string>

#include "common/ids.h"
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
                // The caller's request id (the controller's gateway always sends one), else a new
                // one.
                std::string id(req["X-Request-Id"]);
                if (id.empty() || id.size() > 64 ||
                    !std::all_of(id.begin(), id.end(), [](char c) { return c > 32 && c < 127; })) {
                  id = new_id("req-");
                }
                submit(std::move(inputs), call->batch_rows, arrival, std::nullopt, std::move(r),
                       [this, call, id](serving::InferResponse& resp) {
                         const double model_ms =
                             static_cast<double>(resp.queue_ns + resp.compute_ns) / 1e6;
                         http::Response res{http::beast_http::status::ok, 11};
                         res.set(http::beast_http::field::content_type, "application/json");
                         res.set("X-Request-Id", id);
                         res.body() = protocol::encode_domino_response(info_, *call, resp.outputs,
                                                                       model_ms, id);
                         return res;
                       });
              });
}

}  // namespace modelhost::worker
