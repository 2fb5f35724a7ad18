// See api.h.
#include "control/api/api.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <optional>
#include <set>

#include "common/ids.h"
#include "common/logging.h"

namespace modelhost::control {
namespace {

namespace json = boost::json;
using http::beast_http::field;
using http::beast_http::verb;

constexpr std::string_view kRequestId = "X-Request-Id";

// The caller's X-Request-Id when it is short and printable, else a new one.
std::string request_id(const http::Request& req) {
  const auto given = req[kRequestId];
  if (!given.empty() && given.size() <= 64 &&
      std::all_of(given.begin(), given.end(), [](char c) { return c > 32 && c < 127; })) {
    return std::string(given);
  }
  return new_id("req-");
}

class Call {
 public:
  Call(http::Request&& req, http::Responder&& responder)
      : req_(std::move(req)), responder_(std::move(responder)), id_(request_id(req_)) {}

  const http::Request& req() const { return req_; }

  void reply(unsigned status, const json::value& body) {
    http::Response res =
        http::make_json_response(status, json::serialize(body), req_.version(), req_.keep_alive());
    res.set(kRequestId, id_);
    responder_.send(std::move(res));
  }
  void no_content() {
    http::Response res{http::beast_http::status::no_content, req_.version()};
    res.keep_alive(req_.keep_alive());
    res.set(kRequestId, id_);
    res.prepare_payload();
    responder_.send(std::move(res));
  }
  void fail(const Status& st) {
    const int code = http::http_status_for(st.code());
    // An internal error's message may hold details (SQL, paths): it goes to the log, and the
    // caller gets the request id to report.
    const bool internal = code == 500;
    if (internal) {
      LOG_ERROR("api error").kv("request_id", id_).kv("error", st.message());
    }
    const std::string msg = internal ? "internal error (see the controller's log)" : st.message();
    http::Response res =
        http::make_json_response(static_cast<unsigned>(code),
                                 json::serialize(json::object{{"error", msg}, {"request_id", id_}}),
                                 req_.version(), req_.keep_alive());
    res.set(kRequestId, id_);
    if (code == 401) res.set(field::www_authenticate, "Bearer");
    responder_.send(std::move(res));
  }

  // The JSON object in the body, or an error saying what is wrong with it.
  Result<json::object> body_object() const {
    boost::system::error_code ec;
    json::value v = json::parse(req_.body(), ec);
    if (ec) return invalid_argument("the body is not valid JSON: " + ec.message());
    if (!v.is_object()) return invalid_argument("the body must be a JSON object");
    return v.as_object();
  }

 private:
  http::Request req_;
  http::Responder responder_;
  std::string id_;
};

// A string member of `o`: `def` when absent, an error when present but not a string.
Result<std::string> string_member(const json::object& o, std::string_view key,
                                  std::optional<std::string> def) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) {
    if (def) return *def;
    return invalid_argument("\"" + std::string(key) + "\" is required");
  }
  if (!v->is_string()) return invalid_argument("\"" + std::string(key) + "\" must be a string");
  return std::string(v->as_string());
}

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

json::object node_json(const NodeInfo& n) {
  json::array gpus;
  for (const GpuInfo& g : n.gpus) {
    gpus.push_back(json::object{{"index", g.index},
                                {"uuid", g.uuid},
                                {"type", g.type},
                                {"memory_gib", g.memory_gib},
                                {"declared", g.declared}});
  }
  return {{"name", n.name},         {"pool", n.pool},
          {"cpus", n.cpus},         {"memory_gib", n.memory_gib},
          {"declared", n.declared}, {"gpus", gpus}};
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
        inventory_(state.inventory) {}

  // Authenticates the call; `admin` routes also need the admin role.
  Result<Principal> principal(const Call& call, bool admin) {
    const std::string_view auth = call.req()[field::authorization];
    constexpr std::string_view kBearer = "Bearer ";
    if (auth.empty()) {
      return Status(StatusCode::kUnauthenticated,
                    "missing token: send Authorization: Bearer <token>");
    }
    if (auth.size() <= kBearer.size() ||
        !std::equal(kBearer.begin(), kBearer.end(), auth.begin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return Status(StatusCode::kUnauthenticated,
                    "unsupported Authorization scheme: send Authorization: Bearer <token>");
    }
    ASSIGN_OR_RETURN(Principal p, users_.authenticate(auth.substr(kBearer.size())));
    if (admin && !p.is_admin()) {
      return Status(StatusCode::kPermissionDenied, "this needs the admin role");
    }
    return p;
  }

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
            json::object o = limit_json(q->limit);
            o["user"] = user;
            o["default"] = q->is_default;
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
            for (const NodeInfo& n : inventory_.nodes) nodes.push_back(node_json(n));
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
  using Handler = std::function<void(Call&, const Principal&, const http::PathParams&)>;

  void route(http::Router& router, verb v, const char* pattern, bool admin, Handler h) {
    router.add(v, pattern,
               [this, admin, h = std::move(h)](http::Request&& req, const http::PathParams& params,
                                               http::Responder r) {
                 Call call(std::move(req), std::move(r));
                 auto p = principal(call, admin);
                 if (!p.ok()) return call.fail(p.status());
                 h(call, *p, params);
               });
  }

  Db& db_;
  Users& users_;
  Tiers& tiers_;
  Quotas& quotas_;
  Environments& environments_;
  const Inventory& inventory_;
};

}  // namespace

std::shared_ptr<const void> add_api_routes(http::Router& router, const ControlState& state) {
  auto api = std::make_shared<Api>(state);
  api->add(router);
  return api;
}

}  // namespace modelhost::control
