// Health, server metadata and Prometheus metrics.
#include <array>

#include "common/prometheus.h"
#include "protocol/oip_metadata.h"
#include "worker/worker.h"

namespace modelhost::worker {
namespace {

// Only what is implemented: clients act on this list.
constexpr std::array<std::string_view, 3> kExtensions = {"binary_tensor_data",
                                                         "model_configuration", "statistics"};

http::Response json_response(http::beast_http::status status, std::string body) {
  http::Response res{status, 11};
  res.set(http::beast_http::field::content_type, "application/json");
  res.body() = std::move(body);
  return res;
}

}  // namespace

void Worker::add_health_routes() {
  using http::beast_http::verb;
  using http::beast_http::status;

  router_.add(verb::get, "/v2/health/live",
              [](http::Request&&, const http::PathParams&, http::Responder r) {
                r.send(json_response(status::ok, R"({"live":true})"));
              });
  router_.add(verb::get, "/v2/health/ready",
              [this](http::Request&&, const http::PathParams&, http::Responder r) {
                const bool ready = !draining_.load();
                r.send(json_response(ready ? status::ok : status::service_unavailable,
                                     ready ? R"({"ready":true})" : R"({"ready":false})"));
              });
  router_.add(verb::get, "/v2",
              [](http::Request&&, const http::PathParams&, http::Responder r) {
                r.send(json_response(status::ok,
                                     protocol::encode_server_metadata(MODELHOST_VERSION,
                                                                      kExtensions)));
              });
  router_.add(verb::get, "/metrics",
              [this](http::Request&&, const http::PathParams&, http::Responder r) {
                std::string text = registry_.render();
                prometheus::render_process_metrics(text);
                http::Response res{status::ok, 11};
                res.set(http::beast_http::field::content_type, "text/plain; version=0.0.4");
                res.body() = std::move(text);
                r.send(std::move(res));
              });
}

}  // namespace modelhost::worker
