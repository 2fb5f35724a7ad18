// See cli.h.
#include "cli/cli.h"

#include <sys/stat.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/client.h"
#include "common/flags.h"
#include "common/text.h"
#include "http/client.h"

namespace modelhost::cli {
namespace {

namespace fs = std::filesystem;

int login(const std::vector<std::string_view>& args) {
  std::string url, token;
  Flags f("modelhost login", "Checks a token against a controller and remembers both.");
  f.add_string("url", "URL", "the controller, e.g. http://127.0.0.1:8080", &url, true);
  f.add_string("token", "TOKEN", "your API token", &token, true);
  if (auto exit_code = parse_command_line(f, args)) return *exit_code;
  const Target t{url, token};
  auto me = call(t, verb::get, "/api/me");
  if (!me.ok()) return api_error(me.status());
  const fs::path path = config_path();
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  {
    std::ofstream out(path, std::ios::trunc);
    if (!out) return api_error(invalid_argument("cannot write " + path.string()));
    ::chmod(path.c_str(), 0600);  // before the token goes in
    out << json::serialize(json::object{{"url", url}, {"token", token}}) << "\n";
  }
  const auto& o = me->as_object();
  std::cout << "logged in to " << url << " as " << cell(o.at("name")) << " (" << cell(o.at("role"))
            << ")\n";
  return 0;
}

}  // namespace

bool is_cli_command(std::string_view c) {
  return c == "login" || c == "user" || c == "token" || c == "tier" || c == "quota" || c == "env" ||
         is_model_command(c);
}

int cli_command(std::string_view command, const std::vector<std::string_view>& all_args) {
  if (command == "login") return login(all_args);
  if (is_model_command(command)) return model_command(command, all_args);
  std::vector<std::string_view> args = all_args;
  const std::vector<std::string_view> pos = positionals(args);
  const std::string verb_name = pos.empty() ? "" : std::string(pos[0]);
  auto arg = [&](size_t i) { return i < pos.size() ? std::string(pos[i]) : std::string(); };

  std::string output = "table", user, interpreter, description, cpu, cpu_limit, memory,
              memory_limit, gpu_type, pool, gpus, max_instances, q_gpus, q_instances, q_cpus,
              q_memory;
  bool admin = false, hidden = false, is_default = false;
  Flags f("modelhost " + std::string(command),
          "A client of the controller's REST API; see docs/platform.md.");
  f.add_string("output", "FORMAT", "table or json", &output);
  if (command == "token" || command == "quota") {
    f.add_string("user", "USER", "whose (default: you)", &user);
  }
  if (command == "user") f.add_bool("admin", "create an admin", &admin);
  if (command == "env") {
    f.add_string("interpreter", "PATH", "absolute path of the Python interpreter", &interpreter);
    f.add_string("description", "TEXT", "what it is", &description);
  }
  if (command == "tier") {
    f.add_string("cpu", "CORES", "CPU cores requested", &cpu);
    f.add_string("cpu-limit", "CORES", "CPU cores at most (default: the request)", &cpu_limit);
    f.add_string("memory-gib", "GIB", "memory requested", &memory);
    f.add_string("memory-limit-gib", "GIB", "memory at most (default: the request)", &memory_limit);
    f.add_string("gpus", "N", "GPUs per instance", &gpus);
    f.add_string("gpu-type", "TYPE", "GPU type (default: any)", &gpu_type);
    f.add_string("pool", "POOL", "node pool", &pool);
    f.add_string("max-instances", "N", "instances of one Model API at most", &max_instances);
    f.add_bool("hidden", "users do not see it", &hidden);
    f.add_bool("default", "the tier new Model APIs get", &is_default);
  }
  if (command == "quota") {
    f.add_string("gpus", "N", "GPUs at most", &q_gpus);
    f.add_string("instances", "N", "instances at most", &q_instances);
    f.add_string("cpus", "CORES", "CPU cores at most", &q_cpus);
    f.add_string("memory-gib", "GIB", "memory at most", &q_memory);
  }
  if (auto exit_code = parse_command_line(f, args)) return *exit_code;
  if (output != "table" && output != "json") {
    return command_error(invalid_argument("--output must be table or json, got " + output));
  }
  const bool as_json = output == "json";
  auto t = target();
  if (!t.ok()) return command_error(t.status());

  // Members from flags: numbers parsed strictly, so a typo is a command-line error.
  json::object body;
  auto number = [&](const std::string& text, const char* flag, const char* key,
                    bool integer) -> Status {
    if (text.empty()) return Status::ok_status();
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || (integer && v != static_cast<int64_t>(v))) {
      return invalid_argument(std::string("--") + flag + " must be " +
                              (integer ? "an integer" : "a number") + ", got \"" + text + "\"");
    }
    if (integer) {
      body[key] = static_cast<int64_t>(v);
    } else {
      body[key] = v;
    }
    return Status::ok_status();
  };
  // A change: prints the answer (the created or changed object) as fields or JSON.
  auto mutate = [&](verb v, const std::string& path) -> int {
    const json::value payload = body;
    auto res = call(*t, v, path, v == verb::delete_ ? nullptr : &payload);
    if (!res.ok()) return api_error(res.status());
    if (as_json || !res->is_object()) {
      if (!res->is_null()) std::cout << json::serialize(*res) << "\n";
    } else {
      for (const auto& [k, val] : res->as_object()) std::cout << k << ": " << cell(val) << "\n";
    }
    return 0;
  };
  auto usage = [&](const char* text) {
    return command_error(invalid_argument(std::string("usage: modelhost ") + text));
  };

  if (command == "user") {
    if (verb_name == "ls") {
      return show(*t, "/api/users", as_json, [](const json::value& v) {
        table(v.at("users").as_array(),
              {{"NAME", "name"}, {"ROLE", "role"}, {"CREATED", "created_at"}});
      });
    }
    if (verb_name == "create" && pos.size() == 2) {
      body = {{"name", arg(1)}, {"role", admin ? "admin" : "user"}};
      return mutate(verb::post, "/api/users");
    }
    return usage("user ls | user create NAME [--admin]");
  }
  if (user.empty() && (command == "token" || command == "quota") && verb_name != "set") {
    auto me = call(*t, verb::get, "/api/me");
    if (!me.ok()) return api_error(me.status());
    user = cell(me->at("name"));
  }
  if (command == "token") {
    if (verb_name == "ls") {
      return show(*t, "/api/users/" + user + "/tokens", as_json, [](const json::value& v) {
        table(v.at("tokens").as_array(), {{"ID", "id"},
                                          {"NAME", "name"},
                                          {"USER", "user"},
                                          {"CREATED", "created_at"},
                                          {"REVOKED", "revoked_at"}});
      });
    }
    if (verb_name == "create" && pos.size() == 2) {
      body = {{"name", arg(1)}};
      return mutate(verb::post, "/api/users/" + user + "/tokens");
    }
    if (verb_name == "revoke" && pos.size() == 2) {
      return mutate(verb::delete_, "/api/tokens/" + arg(1));
    }
    return usage("token ls | token create NAME | token revoke ID  [--user USER]");
  }
  if (command == "tier") {
    if (verb_name == "ls") {
      return show(*t, "/api/tiers", as_json, [](const json::value& v) {
        table(v.at("tiers").as_array(), {{"NAME", "name"},
                                         {"CPU", "cpu_request"},
                                         {"CPU_LIMIT", "cpu_limit"},
                                         {"MEMORY_GIB", "memory_request_gib"},
                                         {"GPUS", "gpus"},
                                         {"GPU_TYPE", "gpu_type"},
                                         {"POOL", "node_pool"},
                                         {"VISIBLE", "visible"},
                                         {"DEFAULT", "default"},
                                         {"MAX", "max_instances"}});
      });
    }
    if ((verb_name == "create" || verb_name == "update") && pos.size() == 2) {
      for (Status st : {number(cpu, "cpu", "cpu_request", false),
                        number(cpu_limit, "cpu-limit", "cpu_limit", false),
                        number(memory, "memory-gib", "memory_request_gib", false),
                        number(memory_limit, "memory-limit-gib", "memory_limit_gib", false),
                        number(gpus, "gpus", "gpus", true),
                        number(max_instances, "max-instances", "max_instances", true)}) {
        if (!st.ok()) return command_error(st);
      }
      if (!gpu_type.empty()) body["gpu_type"] = gpu_type;
      if (!pool.empty()) body["node_pool"] = pool;
      if (hidden) body["visible"] = false;
      if (is_default) body["default"] = true;
      if (verb_name == "create") {
        body["name"] = arg(1);
        return mutate(verb::post, "/api/tiers");
      }
      return mutate(verb::put, "/api/tiers/" + arg(1));
    }
    if (verb_name == "rm" && pos.size() == 2) return mutate(verb::delete_, "/api/tiers/" + arg(1));
    return usage("tier ls | tier create NAME [flags] | tier update NAME [flags] | tier rm NAME");
  }
  if (command == "quota") {
    if (verb_name == "show") {
      return show(*t, "/api/users/" + user + "/quota", as_json, [](const json::value& v) {
        table(json::array{v}, {{"USER", "user"},
                               {"GPUS", "max_gpus"},
                               {"INSTANCES", "max_instances"},
                               {"CPUS", "max_cpus"},
                               {"MEMORY_GIB", "max_memory_gib"},
                               {"DEFAULT", "default"}});
      });
    }
    if (verb_name == "set" && pos.size() == 2) {
      for (Status st : {number(q_gpus, "gpus", "max_gpus", true),
                        number(q_instances, "instances", "max_instances", true),
                        number(q_cpus, "cpus", "max_cpus", false),
                        number(q_memory, "memory-gib", "max_memory_gib", false)}) {
        if (!st.ok()) return command_error(st);
      }
      return mutate(verb::put, "/api/users/" + arg(1) + "/quota");
    }
    return usage(
        "quota show [--user USER] | quota set USER [--gpus N] [--instances N] "
        "[--cpus C] [--memory-gib G]");
  }
  // env
  if (verb_name == "ls") {
    return show(*t, "/api/environments", as_json, [](const json::value& v) {
      table(v.at("environments").as_array(), {{"NAME", "name"},
                                              {"KIND", "kind"},
                                              {"INTERPRETER", "interpreter"},
                                              {"DESCRIPTION", "description"}});
    });
  }
  if (verb_name == "create" && pos.size() == 2) {
    body = {{"name", arg(1)}, {"interpreter", interpreter}, {"description", description}};
    return mutate(verb::post, "/api/environments");
  }
  if (verb_name == "rm" && pos.size() == 2) {
    return mutate(verb::delete_, "/api/environments/" + arg(1));
  }
  return usage("env ls | env create NAME --interpreter PATH [--description TEXT] | env rm NAME");
}

}  // namespace modelhost::cli
