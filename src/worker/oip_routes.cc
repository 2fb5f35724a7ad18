// Open Inference Protocol model routes: metadata, readiness, config, statistics, inference.
#include "protocol/errors.h"
#include "protocol/oip_json.h"
#include "protocol/oip_metadata.h"
#include "worker/worker.h"

namespace modelhost::worker {
namespace {

http::Response json_response(std::string body) {
  http::Response res{http::beast_http::status::ok, 11};
  res.set(http::beast_http::field::content_type, "application/json");
  res.body() = std::move(body);
  return res;
}

}  // namespace

void Worker::add_oip_model_routes() {
  using http::beast_http::verb;

  // Every model route exists with and without /versions/{version}.
  auto both = [this](verb v, const std::string& suffix, http::RouteHandler h) {
    router_.add(v, "/v2/models/{model}" + suffix, h);
    router_.add(v, "/v2/models/{model}/versions/{version}" + suffix, std::move(h));
  };

  auto stats = [this](http::Request&&, const http::PathParams& p, http::Responder r) {
    if (!p.get("model").empty()) {
      if (Status s = check_model(p); !s.ok()) return send_error(r, s);
    }
    std::pair<const serving::ModelInfo*, serving::ModelStatistics> entry{&info_,
                                                                          batcher_->statistics()};
    r.send(json_response(protocol::encode_model_stats({&entry, 1})));
  };
  // Registered first: the literal "stats" must win over the {model} pattern.
  router_.add(verb::get, "/v2/models/stats", stats);
  both(verb::get, "/stats", stats);

  both(verb::get, "", [this](http::Request&&, const http::PathParams& p, http::Responder r) {
    if (Status s = check_model(p); !s.ok()) return send_error(r, s);
    r.send(json_response(protocol::encode_model_metadata(info_)));
  });
  both(verb::get, "/ready", [this](http::Request&&, const http::PathParams& p, http::Responder r) {
    if (Status s = check_model(p); !s.ok()) return send_error(r, s);
    if (draining_.load()) return send_error(r, unavailable("model is shutting down"));
    r.send(json_response(R"({"name":")" + info_.config.name + R"(","ready":true})"));
  });
  both(verb::get, "/config", [this](http::Request&&, const http::PathParams& p, http::Responder r) {
    if (Status s = check_model(p); !s.ok()) return send_error(r, s);
    r.send(json_response(protocol::encode_model_config(info_)));
  });

  both(verb::post, "/infer", [this](http::Request&& req, const http::PathParams& p,
                                    http::Responder r) {
    const auto arrival = serving::Clock::now();
    if (Status s = check_model(p); !s.ok()) return send_error(r, s);
    if (draining_.load()) {
      record("rejected", arrival);
      return send_error(r, unavailable("server is shutting down"));
    }
    std::optional<uint64_t> header_length;
    if (auto it = req.find("Inference-Header-Content-Length"); it != req.end()) {
      auto parsed = protocol::parse_header_length(
          std::string_view(it->value().data(), it->value().size()), req.body().size());
      if (!parsed.ok()) {
        record("invalid", arrival);
        return send_error(r, parsed.status());
      }
      header_length = *parsed;
    }
    // The request owns the body that binary input tensors point into.
    auto owner = std::make_shared<http::Request>(std::move(req));
    auto decoded = protocol::decode_infer_request(owner->body(), header_length, info_, owner);
    if (!decoded.ok()) {
      record("invalid", arrival);
      return send_error(r, decoded.status());
    }
    auto call = std::make_shared<protocol::OipInferRequest>(std::move(decoded).value());
    serving::InferRequest ir;
    ir.inputs = std::move(call->inputs);
    ir.batch_rows = call->batch_rows;
    ir.arrival = arrival;
    ir.deadline = deadline_for(arrival, call->timeout_us);
    metrics_.inflight->add(1);
    ir.on_complete = [this, call, arrival,
                      responder = std::make_shared<http::Responder>(std::move(r))](
                         serving::InferResponse&& resp) {
      metrics_.inflight->add(-1);
      record(outcome_for(resp.status), arrival);
      if (!resp.status.ok()) return send_error(*responder, resp.status);
      protocol::EncodedBody encoded = protocol::encode_infer_response(info_, *call, resp.outputs);
      http::Response res{http::beast_http::status::ok, 11};
      res.set(http::beast_http::field::content_type, encoded.content_type);
      if (encoded.header_length) {
        res.set("Inference-Header-Content-Length", std::to_string(*encoded.header_length));
      }
      res.body() = std::move(encoded.body);
      responder->send(std::move(res));
    };
    batcher_->submit(std::move(ir));
  });
}

}  // namespace modelhost::worker
