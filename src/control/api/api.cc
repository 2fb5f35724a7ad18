// See api.h.
#include "control/api/api.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <optional>
#include <set>

#include "common/ids.h"
#include "common/logging.h"
#include "control/api/call.h"

namespace modelhost::control {
namespace {

namespace json = boost::json;
using http::beast_http::field;
using http::beast_http::verb;

json::object user_json(const User& u) {
  return {{"name", u.name}, {"role", u.role}, {"created_at", u.created_at}};
}

json::object token_json(const TokenInfo& t) {
  json::object o{{"id", t.id}, {"name", t.name}, {"user", t.user}, {"created_at", t.created_at}};
  o["revoked_at"] = t.revoked_at.empty() ? json::value(nullptr) : json::value(t.revoked_at);
  return o;
}

json::object tier_json(const Tier& t) {
  return {{"name", t.name},
          {"cpu_request", t.cpu_request},
          {"cpu_limit", t.cpu_limit},
          {"memory_request_gib", t.memory_request_gib},
          {"memory_limit_gib", t.memory_limit_gib},
          {"gpus", t.gpus},
          {"gpu_type", t.gpu_type},
          {"node_pool", t.node_pool},
          {"visible", t.visible},
          {"default", t.is_default},
          {"max_instances", t.max_instances},
          {"created_at", t.created_at}};
}

json::object node_json(const NodeInfo& n, const std::vector<Allocation>& allocations,
                       const std::map<std::string, GpuSample>& samples) {
  json::array gpus;
  double cpus_used = 0, memory_used = 0;
  for (const Allocation& a : allocations) {
    if (a.node != n.name) continue;
    cpus_used += a.cpus;
    memory_used += a.memory_gib;
  }
  for (const GpuInfo& g : n.gpus) {
    json::value held = nullptr;
    for (const Allocation& a : allocations) {
      if (a.node == n.name && std::find(a.gpus.begin(), a.gpus.end(), g.index) != a.gpus.end()) {
        held = json::object{{"instance", a.instance}, {"model", a.model}, {"user", a.user}};
      }
    }
    json::object gpu{{"index", g.index},           {"uuid", g.uuid},         {"type", g.type},
                     {"memory_gib", g.memory_gib}, {"declared", g.declared}, {"held_by", held}};
    // Utilization and memory in use, for a GPU NVML can see (not for declared ones).
    if (auto it = samples.find(g.uuid); it != samples.end()) {
      gpu["utilization_percent"] = it->second.utilization_percent;
      gpu["memory_used_gib"] = it->second.memory_used_gib;
    }
    gpus.push_back(std::move(gpu));
  }
  return {{"name", n.name},
          {"pool", n.pool},
          {"cpus", n.cpus},
          {"memory_gib", n.memory_gib},
          {"cpus_allocated", cpus_used},
          {"memory_allocated_gib", memory_used},
          {"declared", n.declared},
          {"gpus", gpus}};
}

// Applies the members of `o` onto `t` (a new tier's defaults, or the stored tier for an update);
// unknown members and wrong types are errors naming the member.
Status apply_tier_json(const json::object& o, Tier& t, bool naming_allowed) {
  static const std::set<std::string_view> kKnown = {"name",
                                                    "cpu_request",
                                                    "cpu_limit",
                                                    "memory_request_gib",
                                                    "memory_limit_gib",
                                                    "gpus",
                                                    "gpu_type",
                                                    "node_pool",
                                                    "visible",
                                                    "default",
                                                    "max_instances"};
  for (const auto& [key, value] : o) {
    if (!kKnown.count(key)) return invalid_argument("unknown member \"" + std::string(key) + "\"");
  }
  auto num = [&](std::string_view key, double& out) -> Status {
    const json::value* v = o.if_contains(key);
    if (v == nullptr) return Status::ok_status();
    if (!v->is_number()) return invalid_argument("\"" + std::string(key) + "\" must be a number");
    out = v->to_number<double>();
    return Status::ok_status();
  };
  auto integer = [&](std::string_view key, int64_t& out) -> Status {
    const json::value* v = o.if_contains(key);
    if (v == nullptr) return Status::ok_status();
    if (!v->is_int64() && !v->is_uint64()) {
      return invalid_argument("\"" + std::string(key) + "\" must be an integer");
    }
    out = v->is_int64() ? v->as_int64()
                        : static_cast<int64_t>(std::min<uint64_t>(v->as_uint64(), 1u << 30));
    return Status::ok_status();
  };
  auto str = [&](std::string_view key, std::string& out) -> Status {
    const json::value* v = o.if_contains(key);
    if (v == nullptr) return Status::ok_status();
    if (!v->is_string()) return invalid_argument("\"" + std::string(key) + "\" must be a string");
    out = std::string(v->as_string());
    return Status::ok_status();
  };
  auto flag = [&](std::string_view key, bool& out) -> Status {
    const json::value* v = o.if_contains(key);
    if (v == nullptr) return Status::ok_status();
    if (!v->is_bool())
      return invalid_argument("\"" + std::string(key) + "\" must be true or false");
    out = v->as_bool();
    return Status::ok_status();
  };
  if (!naming_allowed && o.contains("name")) {
    return invalid_argument("a tier cannot be renamed; create a new one");
  }
  const bool cpu_limit_given = o.contains("cpu_limit");
  const bool memory_limit_given = o.contains("memory_limit_gib");
  RETURN_IF_ERROR(str("name", t.name));
  RETURN_IF_ERROR(num("cpu_request", t.cpu_request));
  RETURN_IF_ERROR(num("cpu_limit", t.cpu_limit));
  RETURN_IF_ERROR(num("memory_request_gib", t.memory_request_gib));
  RETURN_IF_ERROR(num("memory_limit_gib", t.memory_limit_gib));
  // A limit left out on creation equals the request.
  if (naming_allowed && !cpu_limit_given) t.cpu_limit = t.cpu_request;
  if (naming_allowed && !memory_limit_given) t.memory_limit_gib = t.memory_request_gib;
  RETURN_IF_ERROR(integer("gpus", t.gpus));
  RETURN_IF_ERROR(str("gpu_type", t.gpu_type));
  RETURN_IF_ERROR(str("node_pool", t.node_pool));
  RETURN_IF_ERROR(flag("visible", t.visible));
  RETURN_IF_ERROR(flag("default", t.is_default));
  RETURN_IF_ERROR(integer("max_instances", t.max_instances));
  return Status::ok_status();
}

json::object limit_json(const Resources& l) {
  return {{"max_gpus", l.gpus},
          {"max_instances", l.instances},
          {"max_cpus", l.cpus},
          {"max_memory_gib", l.memory_gib}};
}

// Applies the members of `o` onto `l`; unknown members and wrong types are errors.
Status apply_limit_json(const json::object& o, Resources& l) {
  for (const auto& [key, value] : o) {
    const bool integer = key == "max_gpus" || key == "max_instances";
    if (!integer && key != "max_cpus" && key != "max_memory_gib") {
      return invalid_argument("unknown member \"" + std::string(key) + "\"");
    }
    if (integer ? !value.is_int64() : !value.is_number()) {
      return invalid_argument("\"" + std::string(key) + "\" must be " +
                              (integer ? "an integer" : "a number"));
    }
    if (key == "max_gpus") l.gpus = value.as_int64();
    if (key == "max_instances") l.instances = value.as_int64();
    if (key == "max_cpus") l.cpus = value.to_number<double>();
    if (key == "max_memory_gib") l.memory_gib = value.to_number<double>();
  }
  return check_limit(l);
}

json::object environment_json(const Environment& e) {
  return {{"name", e.name},
          {"kind", e.kind},
          {"interpreter", e.interpreter},
          {"description", e.description},
          {"builtin", e.builtin},
          {"created_at", e.created_at}};
}

class Api {
 public:
  explicit Api(const ControlState& state)
      : db_(state.db),
        users_(state.users),
        tiers_(state.tiers),
        quotas_(state.quotas),
        environments_(state.environments),
        inventory_(state.inventory),
        models_(state.models),
        orchestrator_(state.orchestrator),
        gpu_monitor_(state.gpu_monitor) {}

  // A user may manage their own tokens; an admin anyone's.
  static Status may_act_for(const Principal& p, std::string_view user) {
    if (p.is_admin() || p.user.name == user) return Status::ok_status();
    return Status(
        StatusCode::kPermissionDenied,
        "only an admin or the user themself may do this for user \"" + std::string(user) + "\"");
  }

  void add(http::Router& router) {
    router.add(verb::get, "/healthz",
               [](http::Request&& req, const http::PathParams&, http::Responder r) {
                 Call(std::move(req), std::move(r)).reply(200, json::object{{"status", "ok"}});
               });
    router.add(verb::get, "/readyz",
               [this](http::Request&& req, const http::PathParams&, http::Responder r) {
                 Call call(std::move(req), std::move(r));
                 auto st = db_.exec("SELECT 1");
                 if (!st.ok()) return call.fail(unavailable("the database is not reachable"));
                 call.reply(200, json::object{{"status", "ready"}});
               });
    route(router, verb::get, "/api/openapi.json", false,
          [](Call& call, const Principal&, const http::PathParams&) {
            call.reply(200, json::parse(kOpenApiJson));
          });
    route(router, verb::get, "/api/me", false,
          [](Call& call, const Principal& p, const http::PathParams&) {
            json::object o = user_json(p.user);
            o["token_id"] = p.token_id;
            call.reply(200, o);
          });
    route(router, verb::get, "/api/users", true,
          [this](Call& call, const Principal&, const http::PathParams&) {
            auto users = users_.list();
            if (!users.ok()) return call.fail(users.status());
            json::array a;
            for (const User& u : *users) a.push_back(user_json(u));
            call.reply(200, json::object{{"users", a}});
          });
    route(router, verb::post, "/api/users", true,
          [this](Call& call, const Principal&, const http::PathParams&) {
            auto body = call.body_object();
            if (!body.ok()) return call.fail(body.status());
            auto name = string_member(*body, "name", std::nullopt);
            if (!name.ok()) return call.fail(name.status());
            auto role = string_member(*body, "role", "user");
            if (!role.ok()) return call.fail(role.status());
            auto u = users_.create(*name, *role);
            if (!u.ok()) return call.fail(u.status());
            call.reply(201, user_json(*u));
          });
    route(router, verb::get, "/api/users/{user}/tokens", false,
          [this](Call& call, const Principal& p, const http::PathParams& params) {
            const std::string_view user = params.get("user");
            if (Status st = may_act_for(p, user); !st.ok()) return call.fail(st);
            auto tokens = users_.tokens_of(user);
            if (!tokens.ok()) return call.fail(tokens.status());
            json::array a;
            for (const TokenInfo& t : *tokens) a.push_back(token_json(t));
            call.reply(200, json::object{{"tokens", a}});
          });
    route(router, verb::post, "/api/users/{user}/tokens", false,
          [this](Call& call, const Principal& p, const http::PathParams& params) {
            const std::string_view user = params.get("user");
            if (Status st = may_act_for(p, user); !st.ok()) return call.fail(st);
            auto body = call.body_object();
            if (!body.ok()) return call.fail(body.status());
            auto name = string_member(*body, "name", std::nullopt);
            if (!name.ok()) return call.fail(name.status());
            auto issued = users_.issue_token(user, *name);
            if (!issued.ok()) return call.fail(issued.status());
            json::object o = token_json(issued->first);
            o["token"] = issued->second;  // shown this once
            call.reply(201, o);
          });
    route(router, verb::delete_, "/api/tokens/{id}", false,
          [this](Call& call, const Principal& p, const http::PathParams& params) {
            auto token = users_.find_token(params.get("id"));
            if (!token.ok()) return call.fail(token.status());
            if (Status st = may_act_for(p, token->user); !st.ok()) return call.fail(st);
            if (Status st = users_.revoke_token(token->id); !st.ok()) return call.fail(st);
            call.no_content();
          });
    route(router, verb::get, "/api/default-quota", false,
          [this](Call& call, const Principal&, const http::PathParams&) {
            auto d = quotas_.default_limit();
            if (!d.ok()) return call.fail(d.status());
            call.reply(200, limit_json(*d));
          });
    route(router, verb::put, "/api/default-quota", true,
          [this](Call& call, const Principal&, const http::PathParams&) {
            auto body = call.body_object();
            if (!body.ok()) return call.fail(body.status());
            auto d = quotas_.default_limit();
            if (!d.ok()) return call.fail(d.status());
            if (Status st = apply_limit_json(*body, *d); !st.ok()) return call.fail(st);
            if (Status st = quotas_.set_default_limit(*d); !st.ok()) return call.fail(st);
            call.reply(200, limit_json(*d));
          });
    route(router, verb::get, "/api/users/{user}/quota", false,
          [this](Call& call, const Principal& p, const http::PathParams& params) {
            const std::string user(params.get("user"));
            if (Status st = may_act_for(p, user); !st.ok()) return call.fail(st);
            auto q = quotas_.of(user);
            if (!q.ok()) return call.fail(q.status());
            auto used = models_.desired_usage(user, "");
            if (!used.ok()) return call.fail(used.status());
            json::object o = limit_json(q->limit);
            o["user"] = user;
            o["default"] = q->is_default;
            o["used"] = json::object{{"gpus", used->gpus},
                                     {"instances", used->instances},
                                     {"cpus", used->cpus},
                                     {"memory_gib", used->memory_gib}};
            call.reply(200, o);
          });
    route(router, verb::put, "/api/users/{user}/quota", true,
          [this](Call& call, const Principal&, const http::PathParams& params) {
            const std::string user(params.get("user"));
            auto body = call.body_object();
            if (!body.ok()) return call.fail(body.status());
            auto q = quotas_.of(user);
            if (!q.ok()) return call.fail(q.status());
            if (Status st = apply_limit_json(*body, q->limit); !st.ok()) return call.fail(st);
            if (Status st = quotas_.set(user, q->limit); !st.ok()) return call.fail(st);
            json::object o = limit_json(q->limit);
            o["user"] = user;
            o["default"] = false;
            call.reply(200, o);
          });
    route(router, verb::delete_, "/api/users/{user}/quota", true,
          [this](Call& call, const Principal&, const http::PathParams& params) {
            if (Status st = quotas_.reset(std::string(params.get("user"))); !st.ok()) {
              return call.fail(st);
            }
            call.no_content();
          });
    route(router, verb::get, "/api/environments", false,
          [this](Call& call, const Principal&, const http::PathParams&) {
            auto envs = environments_.list();
            if (!envs.ok()) return call.fail(envs.status());
            json::array a;
            for (const Environment& e : *envs) a.push_back(environment_json(e));
            call.reply(200, json::object{{"environments", a}});
          });
    route(router, verb::get, "/api/environments/{env}", false,
          [this](Call& call, const Principal&, const http::PathParams& params) {
            auto env = environments_.get(params.get("env"));
            if (!env.ok()) return call.fail(env.status());
            call.reply(200, environment_json(*env));
          });
    route(router, verb::post, "/api/environments", true,
          [this](Call& call, const Principal&, const http::PathParams&) {
            auto body = call.body_object();
            if (!body.ok()) return call.fail(body.status());
            Environment e;
            for (const auto& [key, value] : *body) {
              if (key != "name" && key != "kind" && key != "interpreter" && key != "description") {
                return call.fail(invalid_argument("unknown member \"" + std::string(key) + "\""));
              }
            }
            auto name = string_member(*body, "name", std::nullopt);
            auto kind = string_member(*body, "kind", "python");
            auto interpreter = string_member(*body, "interpreter", std::nullopt);
            auto description = string_member(*body, "description", "");
            for (const auto* r : {&name, &kind, &interpreter, &description}) {
              if (!r->ok()) return call.fail(r->status());
            }
            e.name = *name;
            e.kind = *kind;
            e.interpreter = *interpreter;
            e.description = *description;
            auto created = environments_.create(e);
            if (!created.ok()) return call.fail(created.status());
            call.reply(201, environment_json(*created));
          });
    route(router, verb::delete_, "/api/environments/{env}", true,
          [this](Call& call, const Principal&, const http::PathParams& params) {
            if (Status st = environments_.remove(params.get("env")); !st.ok()) {
              return call.fail(st);
            }
            call.no_content();
          });
    route(router, verb::get, "/api/nodes", false,
          [this](Call& call, const Principal&, const http::PathParams&) {
            json::array nodes;
            const auto allocations = orchestrator_.allocations();
            const auto samples = gpu_monitor_ != nullptr ? gpu_monitor_->sample()
                                                         : std::map<std::string, GpuSample>{};
            for (const NodeInfo& n : inventory_.nodes) {
              nodes.push_back(node_json(n, allocations, samples));
            }
            call.reply(200, json::object{{"source", inventory_.source}, {"nodes", nodes}});
          });
    route(router, verb::get, "/api/tiers", false,
          [this](Call& call, const Principal& p, const http::PathParams&) {
            auto tiers = tiers_.list(p.is_admin());
            if (!tiers.ok()) return call.fail(tiers.status());
            json::array a;
            for (const Tier& t : *tiers) a.push_back(tier_json(t));
            call.reply(200, json::object{{"tiers", a}});
          });
    route(router, verb::get, "/api/tiers/{tier}", false,
          [this](Call& call, const Principal& p, const http::PathParams& params) {
            auto tier = tiers_.get(params.get("tier"));
            // A hidden tier does not exist for users.
            if (tier.ok() && !tier->visible && !p.is_admin()) {
              return call.fail(not_found("no tier \"" + std::string(params.get("tier")) + "\""));
            }
            if (!tier.ok()) return call.fail(tier.status());
            call.reply(200, tier_json(*tier));
          });
    route(router, verb::post, "/api/tiers", true,
          [this](Call& call, const Principal&, const http::PathParams&) {
            auto body = call.body_object();
            if (!body.ok()) return call.fail(body.status());
            Tier t;
            const auto pools = inventory_.pools();
            if (pools.size() == 1) t.node_pool = pools[0];  // the only pool is the default
            if (!body->contains("name")) return call.fail(invalid_argument("\"name\" is required"));
            if (Status st = apply_tier_json(*body, t, true); !st.ok()) return call.fail(st);
            auto created = tiers_.create(t);
            if (!created.ok()) return call.fail(created.status());
            call.reply(201, tier_json(*created));
          });
    route(router, verb::put, "/api/tiers/{tier}", true,
          [this](Call& call, const Principal&, const http::PathParams& params) {
            auto body = call.body_object();
            if (!body.ok()) return call.fail(body.status());
            auto t = tiers_.get(params.get("tier"));
            if (!t.ok()) return call.fail(t.status());
            if (Status st = apply_tier_json(*body, *t, false); !st.ok()) return call.fail(st);
            auto updated = tiers_.update(*t);
            if (!updated.ok()) return call.fail(updated.status());
            call.reply(200, tier_json(*updated));
          });
    route(router, verb::delete_, "/api/tiers/{tier}", true,
          [this](Call& call, const Principal&, const http::PathParams& params) {
            if (Status st = tiers_.remove(params.get("tier")); !st.ok()) return call.fail(st);
            call.no_content();
          });
  }

 private:
  void route(http::Router& router, verb v, const char* pattern, bool admin, ApiHandler h) {
    add_api_route(router, users_, v, pattern, admin, std::move(h));
  }

  Db& db_;
  Users& users_;
  Tiers& tiers_;
  Quotas& quotas_;
  Environments& environments_;
  const Inventory& inventory_;
  ModelApis& models_;
  Orchestrator& orchestrator_;
  GpuMonitor* gpu_monitor_;
};

}  // namespace

std::shared_ptr<const void> add_api_routes(http::Router& router, const ControlState& state) {
  auto api = std::make_shared<Api>(state);
  api->add(router);
  auto models = add_model_routes(router, state);
  return std::make_shared<std::pair<std::shared_ptr<Api>, std::shared_ptr<const void>>>(api,
                                                                                        models);
}

}  // namespace modelhost::control
