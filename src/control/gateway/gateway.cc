// See gateway.h.
#include "control/gateway/gateway.h"

#include <openssl/evp.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

#include "common/logging.h"

namespace modelhost::control {
namespace {

namespace json = boost::json;
using http::beast_http::field;
using http::beast_http::verb;

constexpr auto kModelCacheTtl = std::chrono::milliseconds(500);
constexpr auto kAuthCacheTtl = std::chrono::seconds(1);
constexpr auto kUpstreamTimeout = std::chrono::seconds(120);

// The token in `Authorization: Bearer T` or `Authorization: Basic base64(T:T)` (or T: / :T).
std::string presented_token(const http::Request& req) {
  const std::string_view auth = req[field::authorization];
  if (auth.size() > 7 && (auth.substr(0, 7) == "Bearer " || auth.substr(0, 7) == "bearer ")) {
    return std::string(auth.substr(7));
  }
  if (auth.size() > 6 && (auth.substr(0, 6) == "Basic " || auth.substr(0, 6) == "basic ")) {
    const std::string_view b64 = auth.substr(6);
    if (b64.size() > 1024) return "";
    std::string decoded(b64.size(), '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                  reinterpret_cast<const unsigned char*>(b64.data()),
                                  static_cast<int>(b64.size()));
    if (n < 0) return "";
    decoded.resize(static_cast<size_t>(n));
    while (!decoded.empty() && decoded.back() == '\0') decoded.pop_back();  // base64 padding
    const size_t colon = decoded.find(':');
    if (colon == std::string::npos) return decoded;
    std::string user = decoded.substr(0, colon), password = decoded.substr(colon + 1);
    return user.empty() ? password : user;
  }
  return "";
}

http::Response error_response(unsigned status, const std::string& message, const http::Request& req,
                              const std::string& id) {
  http::Response res = http::make_error(status, message, id, req.version(), req.keep_alive());
  if (status == 401) res.set(field::www_authenticate, "Basic realm=\"modelhost\"");
  if (status == 503) res.set(field::retry_after, "1");
  return res;
}

int latency_bucket(double us) {
  if (us <= 1) return 0;
  const int b = static_cast<int>(std::floor(2.0 * std::log2(us)));
  return std::clamp(b, 0, TrafficStats::kBuckets - 1);
}

double bucket_ms(int b) { return std::pow(2.0, (b + 1) / 2.0) / 1000.0; }

}  // namespace

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---- traffic statistics -----------------------------------------------------------------------

void TrafficStats::record(int64_t unix_second, double latency_us, bool error) {
  std::lock_guard<std::mutex> lock(mu_);
  if (seconds_.empty() || seconds_.back().second < unix_second) {
    seconds_.push_back(Second{unix_second, 0, 0, {}});
    while (!seconds_.empty() && seconds_.front().second <= unix_second - 3600) {
      seconds_.pop_front();
    }
  }
  Second& s = seconds_.back();
  ++s.requests;
  if (error) ++s.errors;
  ++s.latency[static_cast<size_t>(latency_bucket(latency_us))];
  ++total_;
}

TrafficStats::Summary TrafficStats::summarize(const std::vector<const Second*>& seconds,
                                              int64_t window_s) {
  Summary out;
  std::array<int64_t, kBuckets> hist{};
  for (const Second* s : seconds) {
    out.requests += s->requests;
    out.errors += s->errors;
    for (int b = 0; b < kBuckets; ++b)
      hist[static_cast<size_t>(b)] += s->latency[static_cast<size_t>(b)];
  }
  out.requests_per_s = static_cast<double>(out.requests) / static_cast<double>(window_s);
  out.error_rate =
      out.requests > 0 ? static_cast<double>(out.errors) / static_cast<double>(out.requests) : 0;
  auto percentile = [&](double q) {
    const auto want = static_cast<int64_t>(std::ceil(q * static_cast<double>(out.requests)));
    int64_t seen = 0;
    for (int b = 0; b < kBuckets; ++b) {
      seen += hist[static_cast<size_t>(b)];
      if (seen >= want && want > 0) return bucket_ms(b);
    }
    return 0.0;
  };
  out.p50_ms = percentile(0.5);
  out.p90_ms = percentile(0.9);
  out.p99_ms = percentile(0.99);
  return out;
}

TrafficStats::Summary TrafficStats::summary(int64_t now_s, int64_t window_s) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<const Second*> in;
  for (const Second& s : seconds_) {
    if (s.second > now_s - window_s && s.second <= now_s) in.push_back(&s);
  }
  return summarize(in, std::max<int64_t>(1, window_s));
}

std::vector<std::pair<int64_t, TrafficStats::Summary>> TrafficStats::series(int64_t now_s,
                                                                            int64_t window_s,
                                                                            int64_t step_s) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<int64_t, Summary>> out;
  step_s = std::max<int64_t>(1, step_s);
  for (int64_t start = now_s - window_s + 1; start <= now_s; start += step_s) {
    std::vector<const Second*> in;
    for (const Second& s : seconds_) {
      if (s.second >= start && s.second < start + step_s) in.push_back(&s);
    }
    out.emplace_back(start, summarize(in, step_s));
  }
  return out;
}

int64_t TrafficStats::total_requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_;
}

// ---- the gateway --------------------------------------------------------------------------------

Gateway::Gateway(ModelApis& models, Users& users, Orchestrator& orchestrator)
    : models_(models),
      users_(users),
      orchestrator_(orchestrator),
      upstream_(http::AsyncUpstreamPool::create()) {}

std::shared_ptr<TrafficStats> Gateway::stats(const std::string& model) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& s = stats_[model];
  if (!s) s = std::make_shared<TrafficStats>();
  return s;
}

Result<std::shared_ptr<const Gateway::ModelInfo>> Gateway::model_info(const std::string& name) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(name);
    if (it != cache_.end() && now - it->second->fetched < kModelCacheTtl) return it->second;
  }
  auto info = std::make_shared<ModelInfo>();
  ASSIGN_OR_RETURN(info->model, models_.get(name));
  ASSIGN_OR_RETURN(auto versions, models_.versions(name));
  for (const auto& v : versions) {
    for (const auto& l : v.labels) info->labels[l] = v.version;
  }
  info->fetched = now;
  info->stats = stats(name);
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() > 10000) cache_.clear();
  cache_[name] = info;
  return std::shared_ptr<const ModelInfo>(std::move(info));
}

Status Gateway::authorize(const ModelApi& m, const http::Request& req) {
  if (m.visibility == "public") return Status::ok_status();
  const std::string token = presented_token(req);
  if (token.empty()) {
    return Status(StatusCode::kUnauthenticated,
                  "Model API \"" + m.name +
                      "\" is private: send one of its access tokens as `Authorization: Bearer "
                      "<token>` or as HTTP Basic user and password");
  }
  // A decision is remembered for a second, so a revoked token stops working within one.
  const std::string key = m.name + '\n' + sha256_hex(token);
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = auth_cache_.find(key);
    if (it != auth_cache_.end() && now - it->second.second < kAuthCacheTtl) {
      return it->second.first;
    }
  }
  Status decision =
      Status(StatusCode::kPermissionDenied, "the token is not an access token of Model API \"" +
                                                m.name + "\" (unknown or revoked)");
  ASSIGN_OR_RETURN(bool valid, models_.check_access_token(m.name, token));
  if (valid) {
    decision = Status::ok_status();
  } else if (auto p = users_.authenticate(token);
             p.ok() && (p->is_admin() || p->user.name == m.owner)) {
    decision = Status::ok_status();
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (auth_cache_.size() > 10000) auth_cache_.clear();
  auth_cache_[key] = {decision, now};
  return decision;
}

void Gateway::add_routes(http::Router& router) {
  auto add = [&](verb v, const std::string& pattern, std::string kind) {
    router.add(v, pattern,
               [this, kind](http::Request&& req, const http::PathParams& p, http::Responder r) {
                 forward(std::move(req), p, std::move(r), kind);
               });
  };
  add(verb::post, "/models/{model}/latest/model", "latest");
  add(verb::post, "/models/{model}/labels/{label}/model", "label");
  for (const char* suffix : {"", "/ready", "/config", "/stats"}) {
    add(verb::get, std::string("/v2/models/{model}") + suffix, "oip");
    add(verb::get, std::string("/v2/models/{model}/versions/{version}") + suffix, "oip");
  }
  add(verb::post, "/v2/models/{model}/infer", "oip");
  add(verb::post, "/v2/models/{model}/versions/{version}/infer", "oip");
  auto server_level = [](unsigned status, json::object body) {
    return [status, body](http::Request&& req, const http::PathParams&, http::Responder r) {
      http::Response res =
          http::make_json_response(status, json::serialize(body), req.version(), req.keep_alive());
      res.set(http::kRequestIdField, http::request_id_of(req));
      r.send(std::move(res));
    };
  };
  router.add(verb::get, "/v2/health/live", server_level(200, {{"live", true}}));
  router.add(verb::get, "/v2/health/ready", server_level(200, {{"ready", true}}));
  router.add(verb::get, "/v2",
             server_level(200, {{"name", "modelhost"},
                                {"version", MODELHOST_VERSION},
                                {"extensions", json::array{"model_configuration", "statistics"}}}));
}

// Runs on the client connection's I/O thread: the checks use cached state (the database only on a
// cache miss), and the upstream exchange is asynchronous on the same executor.
void Gateway::forward(http::Request&& req, const http::PathParams& params, http::Responder r,
                      const std::string& kind) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::string model(params.get("model"));
  const std::string id = http::request_id_of(req);
  const bool counted = kind != "oip" || req.method() == verb::post;  // inferences
  auto info_or = model_info(model);
  std::shared_ptr<TrafficStats> stats_of;
  if (counted) stats_of = info_or.ok() ? (*info_or)->stats : stats(model);
  auto record = [t0, stats_of](bool error) {
    if (!stats_of) return;
    const double us =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    stats_of->record(unix_now(), us, error);
  };
  auto fail = [&](unsigned status, const std::string& message) {
    record(status >= 500);
    r.send(error_response(status, message, req, id));
  };
  if (!info_or.ok() || (*info_or)->model.deleting) {
    return fail(404, "no Model API \"" + model.substr(0, 80) + "\"");
  }
  const auto& info = *info_or;
  const ModelApi& m = info->model;
  if (Status st = authorize(m, req); !st.ok()) {
    return fail(static_cast<unsigned>(http::http_status_for(st.code())), st.message());
  }
  std::string target(req.target());
  if (kind == "label") {
    const std::string label(params.get("label"));
    auto it = info->labels.find(label);
    if (it == info->labels.end()) {
      return fail(404, "Model API \"" + model + "\" has no label \"" + label.substr(0, 80) + "\"");
    }
    if (it->second != m.active_version) {
      return fail(409, "label \"" + label + "\" of Model API \"" + model + "\" names version " +
                           std::to_string(it->second) + ", but version " +
                           std::to_string(m.active_version) +
                           " is deployed; promote it to deploy it");
    }
    target = "/models/" + model + "/latest/model";
  }
  if (const std::string_view version = params.get("version");
      !version.empty() && version != std::to_string(m.active_version)) {
    return fail(404, "Model API \"" + model + "\" runs version " +
                         std::to_string(m.active_version) + "; version " +
                         std::string(version.substr(0, 20)) + " is not deployed");
  }
  auto endpoints = orchestrator_.ready_endpoints(model);
  if (endpoints.empty()) {
    std::string why = !m.running || m.tier.empty() ? "it is not deployed (or stopped)"
                                                   : "no instance is ready yet";
    for (const auto& inst : orchestrator_.instances(model)) {
      if (!inst.reason.empty() && inst.state != "ready") {
        why += "; instance " + inst.id + " is " + inst.state + ": " + inst.reason;
        break;
      }
    }
    return fail(503, "Model API \"" + model + "\" cannot answer: " + why);
  }
  if (!r.executor()) return fail(500, "internal error (no connection to answer on)");
  auto up = std::make_shared<http::Request>(std::move(req));
  const bool client_keep_alive = up->keep_alive();
  const unsigned client_version = up->version();
  up->target(target);
  up->erase(field::authorization);
  up->erase(field::connection);
  up->set(field::host, "127.0.0.1");
  up->set(http::kRequestIdField, id);
  up->keep_alive(true);
  up->version(11);
  auto attempt = std::make_shared<Attempt>();
  attempt->gateway = this;
  attempt->endpoints = std::move(endpoints);
  attempt->tried.assign(attempt->endpoints.size(), false);
  attempt->start = static_cast<size_t>(rr_.fetch_add(1) % attempt->endpoints.size());
  attempt->executor = r.executor();
  attempt->responder = std::move(r);
  attempt->req = std::move(up);
  attempt->model = model;
  attempt->id = id;
  attempt->client_keep_alive = client_keep_alive;
  attempt->client_version = client_version;
  attempt->record = std::move(record);
  Attempt::next(attempt);
}

// Least outstanding requests; ties go round robin. An instance that refuses the connection (it
// just died; the orchestrator has not noticed yet) never saw the request, so the next one is
// tried; any other failure is answered at once.
void Gateway::Attempt::next(const std::shared_ptr<Attempt>& self) {
  size_t best = self->endpoints.size();
  for (size_t k = 0; k < self->endpoints.size(); ++k) {
    const size_t i = (self->start + k) % self->endpoints.size();
    if (self->tried[i]) continue;
    if (best == self->endpoints.size() ||
        self->endpoints[i].outstanding->load() < self->endpoints[best].outstanding->load()) {
      best = i;
    }
  }
  self->tried[best] = true;
  self->current = best;
  const Endpoint& ep = self->endpoints[best];
  ep.outstanding->fetch_add(1);
  self->gateway->upstream_->send(
      self->executor, ep.port, self->req, kUpstreamTimeout,
      [self](Result<http::Response> res) { Attempt::done(self, std::move(res)); });
}

void Gateway::Attempt::done(const std::shared_ptr<Attempt>& self, Result<http::Response> res) {
  const Endpoint& ep = self->endpoints[self->current];
  ep.outstanding->fetch_sub(1);
  Gateway& g = *self->gateway;
  if (!res.ok()) {
    g.upstream_->forget(ep.port);
    LOG_WARN("forward failed")
        .kv("model", self->model)
        .kv("instance", ep.instance)
        .kv("request_id", self->id)
        .kv("error", res.status().message());
    const bool untried_left =
        std::find(self->tried.begin(), self->tried.end(), false) != self->tried.end();
    if (untried_left && res.status().message().rfind("cannot connect", 0) == 0) {
      return next(self);
    }
    const bool timeout = res.status().code() == StatusCode::kDeadlineExceeded;
    http::Request echo{self->req->method(), self->req->target(), self->client_version};
    echo.keep_alive(self->client_keep_alive);
    self->record(true);
    self->responder.send(error_response(timeout ? 504 : 502,
                                        "instance " + ep.instance + " of Model API \"" +
                                            self->model + "\" failed: " + res.status().message(),
                                        echo, self->id));
    return;
  }
  http::Response out = std::move(*res);
  out.erase(field::connection);
  out.erase(field::keep_alive);
  out.set(http::kRequestIdField, self->id);
  out.version(self->client_version);
  out.keep_alive(self->client_keep_alive);
  self->record(out.result_int() >= 500);
  self->responder.send(std::move(out));
}

void Gateway::close() { upstream_->close_idle(); }

}  // namespace modelhost::control
