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
    if (refuse_if_draining(r, arrival)) return;
    std::optional<uint64_t> header_length;
    if (auto it = req.find("Inference-Header-Content-Length"); it != req.end()) {
      auto parsed = protocol::parse_header_length(
          std::string_view(it->value().data(), it->value().size()), req.body().size());
      if (!parsed.ok()) return refuse_invalid(r, parsed.status(), arrival);
      header_length = *parsed;
    }
    // The request owns the body that binary input tensors point into.
    auto owner = std::make_shared<http::Request>(std::move(req));
    auto decoded = protocol::decode_infer_request(owner->body(), header_length, info_, owner);
    if (!decoded.ok()) return refuse_invalid(r, decoded.status(), arrival);
    auto call = std::make_shared<protocol::OipInferRequest>(std::move(decoded).value());
    auto inputs = std::move(call->inputs);
    submit(std::move(inputs), call->batch_rows, arrival, call->timeout_us, std::move(r),
           [this, call](serving::InferResponse& resp) {
             protocol::EncodedBody encoded =
                 protocol::encode_infer_response(info_, *call, resp.outputs);
             http::Response res{http::beast_http::status::ok, 11};
             res.set(http::beast_http::field::content_type, encoded.content_type);
             if (encoded.header_length) {
               res.set("Inference-Header-Content-Length",
                       std::to_string(*encoded.header_length));
             }
             res.body() = std::move(encoded.body);
             return res;
           });
  });
}

}  // namespace modelhost::worker
