// The Model API routes of the controller's REST API: the two steps (upload, deploy), versions,
// labels, rollback, stop/start/delete, instances and their logs, traffic and access tokens.
#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "common/flags.h"
#include "common/logging.h"
#include "common/text.h"
#include "common/thread_pool.h"
#include "control/api/api.h"
#include "control/api/call.h"

namespace modelhost::control {
namespace {

namespace json = boost::json;
using http::beast_http::verb;

// The staged upload of a request: deleted unless committed.
class StagedUpload {
 public:
  explicit StagedUpload(std::string path) : path_(std::move(path)) {}
  ~StagedUpload() {
    if (!path_.empty()) std::remove(path_.c_str());
  }
  StagedUpload(const StagedUpload&) = delete;
  StagedUpload& operator=(const StagedUpload&) = delete;
  const std::string& path() const { return path_; }
  void release() { path_.clear(); }

 private:
  std::string path_;
};

json::object version_json(const ModelVersion& v) {
  json::array labels;
  for (const auto& l : v.labels) labels.push_back(json::value(l));
  boost::system::error_code ec;
  json::value signature = json::parse(v.signature, ec);
  if (ec) signature = nullptr;
  return {{"version", v.version},
          {"sha256", v.sha256},
          {"size", v.size},
          {"labels", labels},
          {"note", v.note},
          {"uploaded_by", v.uploaded_by},
          {"uploaded_at", v.uploaded_at},
          {"signature", signature}};
}

json::object instance_json(const InstanceStatus& i) {
  json::array gpus, uuids;
  for (int g : i.gpus) gpus.push_back(g);
  for (const auto& u : i.gpu_uuids) uuids.push_back(json::value(u));
  return {{"id", i.id},
          {"version", i.version},
          {"tier", i.tier},
          {"precision", i.precision},
          {"state", i.state},
          {"reason", i.reason},
          {"node", i.node},
          {"gpus", gpus},
          {"gpu_uuids", uuids},
          {"simulated_gpu", i.simulated_gpu},
          {"restarts", i.restarts},
          {"pid", i.pid},
          {"port", i.port},
          {"started_at", i.started_at},
          {"uptime_s", i.uptime_s},
          {"memory_bytes", i.memory_bytes}};
}

// Whether an instance runs what the deployment asks for now (else a rolling update replaces it).
bool is_current(const InstanceStatus& i, const ModelApi& m) {
  return i.version == m.active_version && i.tier == m.tier && i.precision == m.precision;
}

// The Model API's state in one word, from its deployment and its instances.
std::string model_status(const ModelApi& m, const std::vector<InstanceStatus>& instances) {
  if (m.deleting) return "deleting";
  if (m.tier.empty()) return "not deployed";
  if (!m.running) return instances.empty() ? "stopped" : "stopping";
  int64_t ready = 0;
  bool failed = false, pending = false, other_version = false;
  for (const auto& i : instances) {
    if (i.state == "stopping") continue;
    if (!is_current(i, m)) other_version = true;
    if (i.state == "ready" && is_current(i, m)) ++ready;
    if (i.state == "failed") failed = true;
    if (i.state == "pending") pending = true;
  }
  if (failed) return "failed";
  if (other_version) return "updating";
  if (ready >= m.instances) return "running";
  if (pending) return "pending";
  return "starting";
}

json::object summary_json(const TrafficStats::Summary& s) {
  return {{"requests", s.requests},     {"errors", s.errors}, {"requests_per_s", s.requests_per_s},
          {"error_rate", s.error_rate}, {"p50_ms", s.p50_ms}, {"p90_ms", s.p90_ms},
          {"p99_ms", s.p99_ms}};
}

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = static_cast<unsigned char>(s[i]) < 0x80 ? 1 : utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// A query parameter, or `def` when absent; a malformed one (or not UTF-8) is an error naming it.
Result<std::string> query(const http::Request& req, std::string_view key, std::string def) {
  auto v = http::query_param(req.target(), key);
  if (v) {
    if (!valid_utf8(*v)) {
      return invalid_argument("query parameter \"" + std::string(key) + "\" is not valid UTF-8");
    }
    return *v;
  }
  const std::string_view target = req.target();
  if (target.find(std::string(key) + "=") != std::string_view::npos) {
    return invalid_argument("query parameter \"" + std::string(key) + "\" is malformed");
  }
  return def;
}

Result<int64_t> query_int(const http::Request& req, std::string_view key, int64_t def, int64_t lo,
                          int64_t hi) {
  ASSIGN_OR_RETURN(std::string v, query(req, key, ""));
  if (v.empty()) return def;
  auto n = parse_int(v, lo, hi);
  if (!n.ok()) {
    return invalid_argument("query parameter \"" + std::string(key) +
                            "\": " + n.status().message());
  }
  return *n;
}

class ModelRoutes {
 public:
  explicit ModelRoutes(const ControlState& s)
      : users_(s.users),
        tiers_(s.tiers),
        quotas_(s.quotas),
        models_(s.models),
        blobs_(s.blobs),
        orchestrator_(s.orchestrator),
        gateway_(s.gateway),
        uploads_(2) {}

  void add(http::Router& router) {
    route(router, verb::get, "/api/models", [this](Call& call, const Principal& p, const auto&) {
      auto all = models_.list(p.is_admin() ? std::nullopt : std::optional(p.user.name));
      if (!all.ok()) return call.fail(all.status());
      json::array a;
      for (const ModelApi& m : *all) a.push_back(model_json(m, false));
      call.reply(200, json::object{{"models", a}});
    });
    route(router, verb::post, "/api/models",
          [this](Call& call, const Principal& p, const auto&) { upload(call, p, ""); });
    route(router, verb::get, "/api/models/{model}",
          [this](Call& call, const Principal& p, const http::PathParams& params) {
            auto m = visible_model(p, params.get("model"));
            if (!m.ok()) return call.fail(m.status());
            call.reply(200, model_json(*m, true));
          });
    route(router, verb::patch, "/api/models/{model}",
          [this](Call& call, const Principal& p, const http::PathParams& params) {
            auto m = visible_model(p, params.get("model"));
            if (!m.ok()) return call.fail(m.status());
            auto body = call.body_object();
            if (!body.ok()) return call.fail(body.status());
            for (const auto& [key, value] : *body) {
              if (key != "description" && key != "visibility") {
                return call.fail(invalid_argument("unknown member \"" + std::string(key) +
                                                  "\"; description and visibility can change"));
              }
              if (!value.is_string()) {
                return call.fail(invalid_argument("\"" + std::string(key) + "\" must be a string"));
              }
              const std::string v(value.as_string());
              Status st = key == "description" ? models_.set_description(m->name, v)
                                               : models_.set_visibility(m->name, v);
              if (!st.ok()) return call.fail(st);
            }
            reply_model(call, m->name);
          });
    route(router, verb::delete_, "/api/models/{model}",
          [this](Call& call, const Principal& p, const http::PathParams& params) {
            auto m = visible_model(p, params.get("model"));
            if (!m.ok()) return call.fail(m.status());
            if (Status st = models_.mark_deleting(m->name); !st.ok()) return call.fail(st);
            orchestrator_.wake();
            call.reply(202, json::object{{"name", m->name}, {"status", "deleting"}});
          });
    route(router, verb::get, "/api/models/{model}/versions",
          [this](Call& call, const Principal& p, const http::PathParams& params) {
            auto m = visible_model(p, params.get("model"));
            if (!m.ok()) return call.fail(m.status());
            auto versions = models_.versions(m->name);
            if (!versions.ok()) return call.fail(versions.status());
            json::array a;
            for (const auto& v : *versions) {
              json::object o = version_json(v);
              o["active"] = v.version == m->active_version;
              a.push_back(o);
            }
            call.reply(200, json::object{{"versions", a}});
          });
    route(router, verb::post, "/api/models/{model}/versions",
          [this](Call& call, const Principal& p, const http::PathParams& params) {
            upload(call, p, std::string(params.get("model")));
          });
    route(router, verb::put, "/api/models/{model}/deployment",
          [this](Call& call, const Principal& p, const http::PathParams& params) {
            deploy(call, p, params.get("model"));
          });
    for (const char* action : {"stop", "start"}) {
      const bool start = std::string_view(action) == "start";
      route(router, verb::post, (std::string("/api/models/{model}/") + action).c_str(),
            [this, start](Call& call, const Principal& p, const http::PathParams& params) {
              auto m = visible_model(p, params.get("model"));
              if (!m.ok()) return call.fail(m.status());
              if (start && m->tier.empty()) {
                return call.fail(failed_precondition(
                    "Model API \"" + m->name +
                    "\" has no deployment yet: set its tier and instances first"));
              }
              if (start) {
                // Starting asks for the resources again: the quota applies.
                auto tier = tiers_.get(m->tier);
                if (!tier.ok()) return call.fail(tier.status());
                if (Status st = check_user_quota(m->owner, m->name, *tier, m->instances);
                    !st.ok()) {
                  return call.fail(st);
                }
                orchestrator_.clear_failed(m->name);
              }
              if (Status st = models_.set_running(m->name, start); !st.ok()) return call.fail(st);
              orchestrator_.wake();
              reply_model(call, m->name);
            });
    }
    route(router, verb::post, "/api/models/{model}/promote",
          [this](Call& call, const Principal& p, const http::PathParams& params) {
            auto m = visible_model(p, params.get("model"));
            if (!m.ok()) return call.fail(m.status());
            auto body = call.body_object();
            if (!body.ok()) return call.fail(body.status());
            const json::value* v = body->if_contains("version");
            if (v == nullptr || !v->is_int64()) {
              return call.fail(invalid_argument("\"version\" is required and must be an integer"));
            }
            auto label = string_member(*body, "label", "prod");
            if (!label.ok()) return call.fail(label.status());
            if (Status st = models_.set_label(m->name, *label, v->as_int64()); !st.ok()) {
              return call.fail(st);
            }
            // The promoted version is the one served: a rolling update when it changes.
            if (Status st = models_.activate(m->name, v->as_int64()); !st.ok()) {
              return call.fail(st);
            }
            orchestrator_.clear_failed(m->name);
            reply_model(call, m->name);
          });
    route(router, verb::post, "/api/models/{model}/rollback",
          [this](Call& call, const Principal& p, const http::PathParams& params) {
            auto m = visible_model(p, params.get("model"));
            if (!m.ok()) return call.fail(m.status());
            auto versions = models_.versions(m->name);
            if (!versions.ok()) return call.fail(versions.status());
            auto to = models_.rollback(m->name);
            if (!to.ok()) return call.fail(to.status());
            // Labels that named the version rolled back from follow the rollback.
            for (const auto& v : *versions) {
              if (v.version != m->active_version) continue;
              for (const auto& l : v.labels) {
                if (Status st = models_.set_label(m->name, l, *to); !st.ok()) return call.fail(st);
              }
            }
            orchestrator_.clear_failed(m->name);
            reply_model(call, m->name);
          });
    route(router, verb::delete_, "/api/models/{model}/labels/{label}",
          [this](Call& call, const Principal& p, const http::PathParams& params) {
            auto m = visible_model(p, params.get("model"));
            if (!m.ok()) return call.fail(m.status());
            if (Status st = models_.remove_label(m->name, std::string(params.get("label")));
                !st.ok()) {
              return call.fail(st);
            }
            call.no_content();
          });
    route(router, verb::get, "/api/models/{model}/instances/{instance}/logs",
          [this](Call& call, const Principal& p, const http::PathParams& params) {
            auto m = visible_model(p, params.get("model"));
            if (!m.ok()) return call.fail(m.status());
            auto lines = query_int(call.req(), "tail", 200, 1, 100000);
            if (!lines.ok()) return call.fail(lines.status());
            auto text =
                orchestrator_.logs(m->name, params.get("instance"), static_cast<size_t>(*lines));
            if (!text.ok()) return call.fail(text.status());
            call.reply_text(200, std::move(*text));
          });
    route(router, verb::get, "/api/models/{model}/metrics",
          [this](Call& call, const Principal& p, const http::PathParams& params) {
            auto m = visible_model(p, params.get("model"));
            if (!m.ok()) return call.fail(m.status());
            auto window = query_int(call.req(), "window", 300, 1, 3600);
            if (!window.ok()) return call.fail(window.status());
            auto step = query_int(call.req(), "step", 10, 1, 3600);
            if (!step.ok()) return call.fail(step.status());
            auto stats = gateway_.stats(m->name);
            const int64_t now = unix_now();
            json::array series;
            for (const auto& [t, s] : stats->series(now, *window, *step)) {
              json::object o = summary_json(s);
              o["t"] = t;
              series.push_back(o);
            }
            json::object o = summary_json(stats->summary(now, *window));
            o["window_s"] = *window;
            o["step_s"] = *step;
            o["total_requests"] = stats->total_requests();
            o["series"] = series;
            call.reply(200, o);
          });
    route(router, verb::get, "/api/models/{model}/access-tokens",
          [this](Call& call, const Principal& p, const http::PathParams& params) {
            auto m = visible_model(p, params.get("model"));
            if (!m.ok()) return call.fail(m.status());
            auto tokens = models_.access_tokens(m->name);
            if (!tokens.ok()) return call.fail(tokens.status());
            json::array a;
            for (const auto& t : *tokens) a.push_back(access_token_json(t));
            call.reply(200, json::object{{"tokens", a}});
          });
    route(router, verb::post, "/api/models/{model}/access-tokens",
          [this](Call& call, const Principal& p, const http::PathParams& params) {
            auto m = visible_model(p, params.get("model"));
            if (!m.ok()) return call.fail(m.status());
            auto body = call.body_object();
            if (!body.ok()) return call.fail(body.status());
            auto name = string_member(*body, "name", std::nullopt);
            if (!name.ok()) return call.fail(name.status());
            auto issued = models_.issue_access_token(m->name, *name);
            if (!issued.ok()) return call.fail(issued.status());
            json::object o = access_token_json(issued->first);
            o["token"] = issued->second;  // shown this once
            call.reply(201, o);
          });
    route(router, verb::delete_, "/api/models/{model}/access-tokens/{id}",
          [this](Call& call, const Principal& p, const http::PathParams& params) {
            auto m = visible_model(p, params.get("model"));
            if (!m.ok()) return call.fail(m.status());
            if (Status st = models_.revoke_access_token(m->name, params.get("id")); !st.ok()) {
              return call.fail(st);
            }
            call.no_content();
          });
  }

 private:
  void route(http::Router& router, verb v, const char* pattern, ApiHandler h) {
    add_api_route(router, users_, v, pattern, false, std::move(h));
  }

  // A user sees only their own Model APIs (others' do not exist for them); an admin all.
  Result<ModelApi> visible_model(const Principal& p, std::string_view name) {
    auto m = models_.get(name);
    if (m.ok() && !p.is_admin() && m->owner != p.user.name) {
      return not_found("no Model API \"" + std::string(name.substr(0, 80)) + "\"");
    }
    return m;
  }

  static json::object access_token_json(const AccessToken& t) {
    json::object o{
        {"id", t.id}, {"name", t.name}, {"model", t.model}, {"created_at", t.created_at}};
    o["revoked_at"] = t.revoked_at.empty() ? json::value(nullptr) : json::value(t.revoked_at);
    return o;
  }

  json::object model_json(const ModelApi& m, bool detail) {
    const auto instances = orchestrator_.instances(m.name);
    json::array inst;
    int64_t ready = 0;
    for (const auto& i : instances) {
      if (i.state == "ready" && is_current(i, m)) ++ready;
      inst.push_back(instance_json(i));
    }
    json::object o{{"name", m.name},
                   {"owner", m.owner},
                   {"description", m.description},
                   {"environment", m.environment},
                   {"visibility", m.visibility},
                   {"status", model_status(m, instances)},
                   {"active_version", m.active_version},
                   {"latest_version", m.latest_version},
                   {"deployment", json::object{{"tier", m.tier.empty() ? json::value(nullptr)
                                                                       : json::value(m.tier)},
                                               {"instances", m.instances},
                                               {"precision", m.precision},
                                               {"running", m.running},
                                               {"deployed_at", m.deployed_at}}},
                   {"instances_ready", ready},
                   {"instances_desired", m.running && !m.tier.empty() ? m.instances : 0},
                   {"instances", inst},
                   {"created_at", m.created_at},
                   {"routes", json::object{{"domino", "/models/" + m.name + "/latest/model"},
                                           {"v2", "/v2/models/" + m.name + "/infer"}}}};
    auto stats = gateway_.stats(m.name)->summary(unix_now(), 300);
    o["traffic"] = summary_json(stats);
    if (detail) {
      if (auto versions = models_.versions(m.name); versions.ok()) {
        json::array a;
        for (const auto& v : *versions) {
          json::object vo = version_json(v);
          vo["active"] = v.version == m.active_version;
          a.push_back(vo);
        }
        o["versions"] = a;
      }
    }
    return o;
  }

  void reply_model(Call& call, const std::string& name) {
    auto m = models_.get(name);
    if (!m.ok()) return call.fail(m.status());
    call.reply(200, model_json(*m, true));
  }

  Status check_user_quota(const std::string& owner, const std::string& model, const Tier& tier,
                          int64_t instances) {
    ASSIGN_OR_RETURN(Quota q, quotas_.of(owner));
    ASSIGN_OR_RETURN(Resources used, models_.desired_usage(owner, model));
    Resources request;
    request.instances = instances;
    request.gpus = instances * tier.gpus;
    request.cpus = static_cast<double>(instances) * tier.cpu_request;
    request.memory_gib = static_cast<double>(instances) * tier.memory_request_gib;
    return check_quota(owner, q.limit, used, request);
  }

  void deploy(Call& call, const Principal& p, std::string_view name) {
    auto m = visible_model(p, name);
    if (!m.ok()) return call.fail(m.status());
    if (m->deleting)
      return call.fail(failed_precondition("Model API \"" + m->name + "\" is being deleted"));
    auto body = call.body_object();
    if (!body.ok()) return call.fail(body.status());
    for (const auto& [key, value] : *body) {
      if (key != "tier" && key != "instances" && key != "precision") {
        return call.fail(invalid_argument("unknown member \"" + std::string(key) +
                                          "\"; a deployment has tier, instances and precision"));
      }
    }
    std::string tier_name = m->tier;
    if (const json::value* t = body->if_contains("tier")) {
      if (!t->is_string()) return call.fail(invalid_argument("\"tier\" must be a string"));
      tier_name = std::string(t->as_string());
    }
    if (tier_name.empty()) {
      auto tiers = tiers_.list(false);
      if (!tiers.ok()) return call.fail(tiers.status());
      for (const Tier& t : *tiers) {
        if (t.is_default) tier_name = t.name;
      }
      if (tier_name.empty()) {
        return call.fail(invalid_argument(
            "\"tier\" is required (there is no default tier; `modelhost tier ls` lists them)"));
      }
    }
    int64_t instances = m->instances > 0 ? m->instances : 1;
    if (const json::value* n = body->if_contains("instances")) {
      if (!n->is_int64()) return call.fail(invalid_argument("\"instances\" must be an integer"));
      instances = n->as_int64();
    }
    if (instances < 1 || instances > 32) {
      return call.fail(
          invalid_argument("instances must be 1 to 32, got " + std::to_string(instances)));
    }
    // Like the tier and the count, an omitted precision keeps the current one (fp32 at first).
    std::string precision = m->precision;
    const json::value* asked_precision = body->if_contains("precision");
    if (asked_precision != nullptr) {
      if (!asked_precision->is_string()) {
        return call.fail(invalid_argument("\"precision\" must be a string"));
      }
      precision = std::string(asked_precision->as_string());
    }
    if (Status st = check_precision(precision); !st.ok()) return call.fail(st);
    auto tier = tiers_.get(tier_name);
    if (!tier.ok() || (!tier->visible && !p.is_admin())) {
      return call.fail(invalid_argument("no tier \"" + tier_name.substr(0, 80) +
                                        "\" (`modelhost tier ls` lists them)"));
    }
    if (Status st = check_precision_on_tier(precision, *tier); !st.ok()) {
      // A kept precision is no choice of the caller's: say where it comes from and the way out.
      return call.fail(asked_precision != nullptr
                           ? st
                           : invalid_argument(st.message() + " (" + precision +
                                              " is the deployment's current precision; set "
                                              "precision fp32 to move to this tier)"));
    }
    if (instances > tier->max_instances) {
      return call.fail(Status(
          StatusCode::kPermissionDenied,
          "tier \"" + tier->name + "\" allows at most " + std::to_string(tier->max_instances) +
              " instances of one Model API; asked for " + std::to_string(instances)));
    }
    if (Status st = check_user_quota(m->owner, m->name, *tier, instances); !st.ok()) {
      return call.fail(st);
    }
    if (Status st = models_.set_deployment(m->name, tier->name, instances, precision); !st.ok()) {
      return call.fail(st);
    }
    orchestrator_.clear_failed(m->name);
    LOG_INFO("deployment set")
        .kv("model", m->name)
        .kv("tier", tier->name)
        .kv("instances", instances)
        .kv("precision", precision)
        .kv("by", p.user.name)
        .kv("request_id", call.id());
    reply_model(call, m->name);
  }

  // Step one (model == "": a new Model API) or a new version: the body is the model file, which
  // the HTTP server has streamed into staging.
  void upload(Call& call, const Principal& p, std::string model) {
    if (call.req().count(http::kSpooledBodyField) == 0) {
      return call.fail(internal_error("an upload arrived without a staged body"));
    }
    auto staged = std::make_shared<StagedUpload>(call.req().body());
    if (call.req()[http::kSpooledBodyField] == "0") {
      return call.fail(
          invalid_argument("the request body is empty: send the ONNX model file as the body "
                           "(curl --data-binary @model.onnx)"));
    }
    ModelApi fresh;
    std::string note;
    bool activate = true;
    {
      auto n = query(call.req(), "note", "");
      if (!n.ok()) return call.fail(n.status());
      note = *n;
      if (note.size() > 1000)
        return call.fail(invalid_argument("note is longer than 1000 characters"));
      auto a = query(call.req(), "activate", "true");
      if (!a.ok()) return call.fail(a.status());
      if (*a != "true" && *a != "false") {
        return call.fail(invalid_argument("query parameter \"activate\" must be true or false"));
      }
      activate = *a == "true";
    }
    if (model.empty()) {
      auto name = query(call.req(), "name", "");
      auto env = query(call.req(), "environment", "onnx");
      auto description = query(call.req(), "description", "");
      auto visibility = query(call.req(), "visibility", "private");
      for (const auto* r : {&name, &env, &description, &visibility}) {
        if (!r->ok()) return call.fail(r->status());
      }
      if (name->empty()) {
        return call.fail(invalid_argument(
            "query parameter \"name\" is required: POST /api/models?name=NAME with the model "
            "file as the body"));
      }
      if (Status st = check_name("Model API name", *name); !st.ok()) return call.fail(st);
      if (models_.get(*name).ok()) {
        return call.fail(
            Status(StatusCode::kAlreadyExists, "Model API \"" + *name +
                                                   "\" exists already; upload a new version to "
                                                   "/api/models/" +
                                                   *name + "/versions"));
      }
      fresh.name = *name;
      fresh.environment = *env;
      fresh.description = *description;
      fresh.visibility = *visibility;
    } else {
      auto m = visible_model(p, model);
      if (!m.ok()) return call.fail(m.status());
    }
    // Hashing, fsync and loading the model take a while: off the I/O thread.
    auto shared_call = std::make_shared<Call>(std::move(call));
    uploads_.submit([this, shared_call, staged, p, model, fresh, note, activate] {
      Call& c = *shared_call;
      auto blob = blobs_.seal(staged->path());
      if (!blob.ok()) return c.fail(blob.status());
      auto signature = validate_model_file(staged->path());
      if (!signature.ok()) return c.fail(signature.status());
      if (Status st = blobs_.commit(staged->path(), *blob); !st.ok()) return c.fail(st);
      staged->release();
      LOG_INFO("model uploaded")
          .kv("model", model.empty() ? fresh.name : model)
          .kv("sha256", blob->sha256)
          .kv("bytes", static_cast<int64_t>(blob->size))
          .kv("by", p.user.name)
          .kv("request_id", c.id());
      if (model.empty()) {
        auto created = models_.create(fresh, p.user, *blob, *signature, note);
        if (!created.ok()) return c.fail(created.status());
        json::object o = model_json(*created, true);
        c.reply(201, o);
        return;
      }
      auto v = models_.add_version(model, *blob, *signature, note, p.user, activate);
      if (!v.ok()) return c.fail(v.status());
      if (activate) orchestrator_.clear_failed(model);
      orchestrator_.wake();
      json::object o = version_json(*v);
      o["model"] = model;
      o["active"] = activate;
      c.reply(201, o);
    });
  }

  Users& users_;
  Tiers& tiers_;
  Quotas& quotas_;
  ModelApis& models_;
  const BlobStore& blobs_;
  Orchestrator& orchestrator_;
  Gateway& gateway_;
  ThreadPool uploads_;
};

}  // namespace

std::shared_ptr<const void> add_model_routes(http::Router& router, const ControlState& state) {
  auto routes = std::make_shared<ModelRoutes>(state);
  routes->add(router);
  return routes;
}

}  // namespace modelhost::control
