// The model commands of the CLI: deploy (both steps in one command, with an upload progress bar
// and a wait-until-ready display), ls, status, versions, promote, rollback, scale, stop, start,
// rm, logs, predict and access (model access tokens).
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "cli/client.h"
#include "common/flags.h"
#include "common/text.h"

namespace modelhost::cli {
namespace {

namespace fs = std::filesystem;

std::string url_encode(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// "12.3 MiB", "552 B".
std::string human_size(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 3) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

// "uploading model.onnx [########............]  40%  10.2 of 25.6 MiB", redrawn in place on a
// terminal, or a line at the start and the end otherwise.
class ProgressBar {
 public:
  explicit ProgressBar(std::string label) : label_(std::move(label)), tty_(::isatty(2) != 0) {}
  void update(uint64_t sent, uint64_t total) {
    const int percent = total == 0 ? 100 : static_cast<int>(sent * 100 / total);
    if (!tty_ && percent != 100 && sent != 0) return;
    if (percent == last_ && sent != total) return;
    last_ = percent;
    const int filled = percent / 5;
    std::fprintf(stderr, "%suploading %s [%s%s] %3d%%  %s of %s%s", tty_ ? "\r" : "",
                 label_.c_str(), std::string(static_cast<size_t>(filled), '#').c_str(),
                 std::string(static_cast<size_t>(20 - filled), '.').c_str(), percent,
                 human_size(sent).c_str(), human_size(total).c_str(),
                 tty_ && sent != total ? "" : "\n");
    std::fflush(stderr);
  }

 private:
  std::string label_;
  bool tty_;
  int last_ = -1;
};

Result<json::value> upload(const Target& t, const std::string& path, const std::string& file) {
  ASSIGN_OR_RETURN(auto addr, http::parse_http_url(t.url));
  ProgressBar bar(fs::path(file).filename().string());
  ASSIGN_OR_RETURN(
      http::ClientResponse res,
      http::send_file(addr.first, addr.second, verb::post, path, file,
                      {{"Authorization", "Bearer " + t.token}},
                      [&](uint64_t sent, uint64_t total) { bar.update(sent, total); }));
  return parse_answer(res);
}

Result<json::value> get_text(const Target& t, const std::string& path, std::string& text) {
  ASSIGN_OR_RETURN(auto addr, http::parse_http_url(t.url));
  ASSIGN_OR_RETURN(http::ClientResponse res,
                   http::send_request(addr.first, addr.second, verb::get, path, "",
                                      {{"Authorization", "Bearer " + t.token}}));
  if (res.status == 200) {
    text = std::move(res.body);
    return json::value(nullptr);
  }
  return parse_answer(res);
}

std::string instance_line(const json::object& i) {
  const bool no_gpu = i.at("gpus").as_array().empty();
  std::string line = std::string(i.at("id").as_string()) + "  v" + cell(i.at("version")) + "  " +
                     cell(i.at("state")) + "  " + cell(i.at("node")) +
                     (no_gpu ? std::string(" (no GPU)") : " GPUs " + cell(i.at("gpus")));
  const std::string reason = cell(i.at("reason"));
  if (!reason.empty()) line += "  (" + reason.substr(0, reason.find('\n')) + ")";
  return line;
}

// Follows a Model API until its instances are ready (0), it fails (1) or `timeout` passes (1).
int wait_ready(const Target& t, const std::string& name, std::chrono::seconds timeout) {
  const auto start = std::chrono::steady_clock::now();
  std::string last;
  for (;;) {
    auto m = call(t, verb::get, "/api/models/" + name);
    if (!m.ok()) return api_error(m.status());
    const auto& o = m->as_object();
    const std::string status = cell(o.at("status"));
    std::string view = status + ": " + cell(o.at("instances_ready")) + " of " +
                       cell(o.at("instances_desired")) + " instances ready";
    for (const auto& i : o.at("instances").as_array()) {
      view += "\n  " + instance_line(i.as_object());
    }
    if (view != last) {
      std::cerr << view << "\n";
      last = view;
    }
    if (status == "running") {
      const double s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::cerr << "ready in " << format_number(static_cast<double>(static_cast<int>(s * 10)) / 10)
                << " s\n";
      return 0;
    }
    if (status == "failed") {
      for (const auto& i : o.at("instances").as_array()) {
        if (i.at("state") == "failed") std::cerr << cell(i.at("reason")) << "\n";
      }
      return 1;
    }
    if (std::chrono::steady_clock::now() - start > timeout) {
      std::cerr << "error: not ready within " << timeout.count() << " s (still " << status << ")\n";
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

void print_fields(const json::value& v, const std::vector<std::string>& keys) {
  for (const auto& k : keys) {
    if (const auto* x = v.as_object().if_contains(k)) std::cout << k << ": " << cell(*x) << "\n";
  }
}

}  // namespace

bool is_model_command(std::string_view c) {
  for (std::string_view m : {"deploy", "ls", "status", "versions", "promote", "rollback", "scale",
                             "stop", "start", "rm", "logs", "predict", "access"}) {
    if (c == m) return true;
  }
  return false;
}

int model_command(std::string_view command, const std::vector<std::string_view>& all_args) {
  std::vector<std::string_view> args;
  for (std::string_view a : all_args) args.push_back(a == "-f" ? "--follow" : a);
  const std::vector<std::string_view> pos = positionals(args);
  auto arg = [&](size_t i) { return i < pos.size() ? std::string(pos[i]) : std::string(); };

  std::string output = "table", file, tier, description, note, label = "prod", instance, json_file,
              visibility, precision;
  int64_t instances = 0, wait_timeout = 600, tail = 100;
  bool no_wait = false, follow = false;
  Flags f("modelhost " + std::string(command),
          "A client of the controller's REST API; see docs/platform.md.");
  f.add_string("output", "FORMAT", "table or json", &output);
  if (command == "deploy") {
    f.add_string("file", "PATH", "the model file (a new Model API, or its next version)", &file);
    f.add_string("tier", "TIER", "hardware tier (default: the current one, else the default)",
                 &tier);
    f.add_int("instances", "N", "instances, 1 to 32 (default: the current count, else 1)",
              &instances, 1, 32);
    f.add_string("precision", "P",
                 "fp32, tf32, fp16 or bf16; other than fp32 on GPU tiers only (default: the "
                 "current one, else fp32)",
                 &precision);
    f.add_string("description", "TEXT", "what the Model API does (a new one)", &description);
    f.add_string("note", "TEXT", "a note on this version", &note);
    f.add_string("visibility", "VIS", "public (no token needed) or private", &visibility);
    f.add_bool("no-wait", "return after the deployment is set, without waiting for readiness",
               &no_wait);
    f.add_int("wait-timeout", "S", "how long to wait for readiness", &wait_timeout, 1, 86400);
  }
  if (command == "promote") f.add_string("label", "LABEL", "the label (default prod)", &label);
  if (command == "logs") {
    f.add_string("instance", "ID", "one instance (default: all of the Model API's)", &instance);
    f.add_int("tail", "N", "lines from the end", &tail, 1, 100000);
    f.add_bool("follow", "keep printing new lines (-f)", &follow);
  }
  if (command == "predict") {
    f.add_string("json", "FILE", "the request body ({\"data\": ...}); - for stdin", &json_file,
                 true);
    f.add_string("label", "LABEL", "call the version with this label instead of the latest",
                 &label);
  }
  if (command == "predict") label.clear();
  if (auto exit_code = parse_command_line(f, args)) return *exit_code;
  if (output != "table" && output != "json") {
    return command_error(invalid_argument("--output must be table or json, got " + output));
  }
  const bool as_json = output == "json";
  auto usage = [&](const char* text) {
    return command_error(invalid_argument(std::string("usage: modelhost ") + text));
  };
  const std::string name = arg(0);
  const std::string base = "/api/models/" + url_encode(name);
  auto t = target();
  if (!t.ok()) return command_error(t.status());

  // Prints a changed Model API (or its JSON).
  auto print_model = [&](const json::value& m) {
    if (as_json) {
      std::cout << json::serialize(m) << "\n";
      return;
    }
    print_fields(m, {"name", "status", "active_version", "latest_version"});
    const auto& d = m.at("deployment");
    std::cout << "tier: " << cell(d.at("tier")) << "\nprecision: " << cell(d.at("precision"))
              << "\ninstances: " << cell(d.at("instances")) << "\n";
  };
  auto post = [&](const std::string& path, const json::value& body) -> int {
    auto res = call(*t, verb::post, path, &body);
    if (!res.ok()) return api_error(res.status());
    print_model(*res);
    return 0;
  };

  if (command == "ls") {
    if (!pos.empty()) return usage("ls");
    return show(*t, "/api/models", as_json, [](const json::value& v) {
      json::array rows;
      for (const auto& m : v.at("models").as_array()) {
        const auto& o = m.as_object();
        const auto& traffic = o.at("traffic").as_object();
        rows.push_back(json::object{
            {"name", o.at("name")},
            {"owner", o.at("owner")},
            {"status", o.at("status")},
            {"version", o.at("active_version")},
            {"tier", o.at("deployment").at("tier")},
            {"precision", o.at("deployment").at("precision")},
            {"ready", cell(o.at("instances_ready")) + "/" + cell(o.at("instances_desired"))},
            {"rps", format_number(static_cast<double>(static_cast<int64_t>(
                                      traffic.at("requests_per_s").to_number<double>() * 10)) /
                                  10)},
            {"p50", traffic.at("p50_ms")}});
      }
      table(rows, {{"NAME", "name"},
                   {"OWNER", "owner"},
                   {"STATUS", "status"},
                   {"VERSION", "version"},
                   {"TIER", "tier"},
                   {"PRECISION", "precision"},
                   {"READY", "ready"},
                   {"REQ/S", "rps"},
                   {"P50_MS", "p50"}});
    });
  }
  if (name.empty()) {
    return usage(
        (std::string(command) + " NAME ...  (see modelhost " + std::string(command) + " --help)")
            .c_str());
  }
  if (!is_valid_name(name)) {
    return command_error(invalid_argument("Model API name \"" + name +
                                          "\" is not valid: use 1 to 64 of A-Z a-z 0-9 . _ -"));
  }

  if (command == "deploy") {
    if (pos.size() != 1) {
      return usage("deploy NAME --file model.onnx [--tier T] [--instances N] [--precision P]");
    }
    auto existing = call(*t, verb::get, base);
    const bool exists = existing.ok();
    if (!exists && existing.status().message().rfind("no Model API", 0) != 0) {
      return api_error(existing.status());
    }
    // A value no deployment takes is a command-line mistake, found before anything is uploaded.
    if (!precision.empty() && precision != "fp32" && precision != "tf32" && precision != "fp16" &&
        precision != "bf16") {
      return command_error(invalid_argument(
          "--precision must be one of fp32, tf32, fp16, bf16, got \"" + precision + "\""));
    }
    if (!exists && file.empty()) {
      return command_error(invalid_argument("Model API \"" + name +
                                            "\" does not exist yet: give its model with --file"));
    }
    if (!file.empty()) {
      std::error_code ec;
      if (!fs::is_regular_file(file, ec)) {
        return command_error(invalid_argument("--file " + file + ": no such file"));
      }
      std::string path =
          exists ? base + "/versions?note=" + url_encode(note)
                 : "/api/models?name=" + url_encode(name) +
                       "&description=" + url_encode(description) + "&note=" + url_encode(note) +
                       (visibility.empty() ? "" : "&visibility=" + url_encode(visibility));
      auto up = upload(*t, path, file);
      if (!up.ok()) return api_error(up.status());
      std::cerr << (exists ? "version " + cell(up->at("version")) + " uploaded"
                           : "Model API " + name + " created with version 1")
                << "\n";
    }
    if (exists && !visibility.empty()) {
      const json::value body = json::object{{"visibility", visibility}};
      auto res = call(*t, verb::patch, base, &body);
      if (!res.ok()) return api_error(res.status());
    }
    json::object deployment;
    if (!tier.empty()) deployment["tier"] = tier;
    if (instances > 0) deployment["instances"] = instances;
    if (!precision.empty()) deployment["precision"] = precision;
    const json::value body = deployment;
    auto res = call(*t, verb::put, base + "/deployment", &body);
    if (!res.ok()) return api_error(res.status());
    int rc = 0;
    if (!no_wait) rc = wait_ready(*t, name, std::chrono::seconds(wait_timeout));
    auto now = call(*t, verb::get, base);
    if (now.ok()) {
      print_model(*now);
      if (!as_json) {
        std::cout << "call it: curl -H \"Authorization: Bearer $TOKEN\" " << t->url << "/models/"
                  << name << "/latest/model -d '{\"data\": ...}'\n";
      }
    }
    return rc;
  }
  if (command == "status") {
    return show(*t, base, as_json, [](const json::value& m) {
      print_fields(m, {"name", "owner", "description", "status", "visibility", "active_version",
                       "latest_version"});
      const auto& d = m.at("deployment");
      std::cout << "tier: " << cell(d.at("tier")) << "\nprecision: " << cell(d.at("precision"))
                << "\ninstances: " << cell(m.at("instances_ready")) << " ready of "
                << cell(m.at("instances_desired")) << "\ndeployed_at: " << cell(d.at("deployed_at"))
                << "\n";
      const auto& traffic = m.at("traffic");
      std::cout << "traffic (5 min): " << cell(traffic.at("requests")) << " requests, p50 "
                << cell(traffic.at("p50_ms")) << " ms, p99 " << cell(traffic.at("p99_ms"))
                << " ms, errors " << cell(traffic.at("errors")) << "\n\n";
      json::array rows;
      for (const auto& i : m.at("instances").as_array()) {
        json::object o = i.as_object();
        const std::string reason = cell(o.at("reason"));
        o["reason"] = reason.substr(0, reason.find('\n'));
        o["uptime"] = format_number(
            static_cast<double>(static_cast<int64_t>(o.at("uptime_s").to_number<double>())));
        rows.push_back(o);
      }
      table(rows, {{"INSTANCE", "id"},
                   {"VERSION", "version"},
                   {"STATE", "state"},
                   {"NODE", "node"},
                   {"GPUS", "gpus"},
                   {"RESTARTS", "restarts"},
                   {"UPTIME_S", "uptime"},
                   {"REASON", "reason"}});
    });
  }
  if (command == "versions") {
    return show(*t, base + "/versions", as_json, [](const json::value& v) {
      json::array rows;
      for (const auto& x : v.at("versions").as_array()) {
        json::object o = x.as_object();
        o["sha"] = std::string(o.at("sha256").as_string()).substr(0, 12);
        std::string labels;
        for (const auto& l : o.at("labels").as_array()) {
          labels += (labels.empty() ? "" : ",") + std::string(l.as_string());
        }
        o["label_list"] = labels;
        rows.push_back(o);
      }
      table(rows, {{"VERSION", "version"},
                   {"ACTIVE", "active"},
                   {"LABELS", "label_list"},
                   {"SHA256", "sha"},
                   {"BYTES", "size"},
                   {"UPLOADED", "uploaded_at"},
                   {"BY", "uploaded_by"},
                   {"NOTE", "note"}});
    });
  }
  if (command == "promote") {
    if (pos.size() != 2) return usage("promote NAME VERSION [--label LABEL]");
    auto v = parse_int(arg(1), 1, INT64_MAX);
    if (!v.ok())
      return command_error(invalid_argument("VERSION must be a version number, got " + arg(1)));
    return post(base + "/promote", json::object{{"version", *v}, {"label", label}});
  }
  if (command == "rollback") return post(base + "/rollback", json::object{});
  if (command == "stop") return post(base + "/stop", json::object{});
  if (command == "start") return post(base + "/start", json::object{});
  if (command == "scale") {
    if (pos.size() != 2) return usage("scale NAME INSTANCES");
    auto n = parse_int(arg(1), 1, 32);
    if (!n.ok()) return command_error(invalid_argument("INSTANCES must be 1 to 32, got " + arg(1)));
    const json::value body = json::object{{"instances", *n}};
    auto res = call(*t, verb::put, base + "/deployment", &body);
    if (!res.ok()) return api_error(res.status());
    print_model(*res);
    return 0;
  }
  if (command == "rm") {
    auto res = call(*t, verb::delete_, base);
    if (!res.ok()) return api_error(res.status());
    if (as_json) {
      std::cout << json::serialize(*res) << "\n";
    } else {
      std::cout << "Model API " << name << " is being deleted (its instances drain first)\n";
    }
    return 0;
  }
  if (command == "logs") {
    // Which instances: the one asked for, or every current one.
    std::vector<std::string> ids;
    if (!instance.empty()) {
      ids.push_back(instance);
    } else {
      auto m = call(*t, verb::get, base);
      if (!m.ok()) return api_error(m.status());
      for (const auto& i : m->at("instances").as_array()) {
        ids.push_back(std::string(i.at("id").as_string()));
      }
      if (ids.empty()) {
        std::cerr << "Model API " << name << " has no instances (is it deployed?)\n";
        return 1;
      }
    }
    std::map<std::string, std::string> seen;  // the last text printed per instance
    for (;;) {
      for (const auto& id : ids) {
        std::string text;
        auto res = get_text(*t,
                            base + "/instances/" + url_encode(id) + "/logs?tail=" +
                                std::to_string(follow && !seen[id].empty() ? 1000 : tail),
                            text);
        if (!res.ok()) return api_error(res.status());
        std::string fresh = text;
        const std::string& before = seen[id];
        if (!before.empty()) {
          // Print what follows the last line printed.
          const size_t nl = before.rfind('\n', before.size() >= 2 ? before.size() - 2 : 0);
          const std::string last = before.substr(nl == std::string::npos ? 0 : nl + 1);
          const size_t at = text.rfind(last);
          fresh = at == std::string::npos ? text : text.substr(at + last.size());
        }
        if (!fresh.empty()) {
          if (ids.size() > 1 && !follow) std::cout << "==> " << id << " <==\n";
          if (ids.size() > 1 && follow) {
            std::istringstream lines(fresh);
            for (std::string line; std::getline(lines, line);)
              std::cout << id << "  " << line << "\n";
          } else {
            std::cout << fresh;
          }
          std::cout.flush();
        }
        if (!text.empty()) seen[id] = text;
      }
      if (!follow) return 0;
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
  if (command == "predict") {
    std::string body;
    if (json_file == "-") {
      std::stringstream in;
      in << std::cin.rdbuf();
      body = in.str();
    } else {
      std::ifstream in(json_file, std::ios::binary);
      if (!in) return command_error(invalid_argument("--json " + json_file + ": cannot read it"));
      std::stringstream text;
      text << in.rdbuf();
      body = text.str();
    }
    auto addr = http::parse_http_url(t->url);
    if (!addr.ok()) return command_error(addr.status());
    const std::string path =
        "/models/" + url_encode(name) +
        (label.empty() ? "/latest/model" : "/labels/" + url_encode(label) + "/model");
    auto res = http::send_request(addr->first, addr->second, verb::post, path, body,
                                  {{"Authorization", "Bearer " + t->token}});
    if (!res.ok()) return api_error(res.status());
    auto parsed = parse_answer(*res);
    if (!parsed.ok()) return api_error(parsed.status());
    std::cout << json::serialize(*parsed) << "\n";
    return 0;
  }
  if (command == "access") {
    // access NAME ls | create TOKEN_NAME | revoke ID
    const std::string what = arg(1);
    if (what == "ls") {
      return show(*t, base + "/access-tokens", as_json, [](const json::value& v) {
        table(
            v.at("tokens").as_array(),
            {{"ID", "id"}, {"NAME", "name"}, {"CREATED", "created_at"}, {"REVOKED", "revoked_at"}});
      });
    }
    if (what == "create" && pos.size() == 3) {
      const json::value body = json::object{{"name", arg(2)}};
      auto res = call(*t, verb::post, base + "/access-tokens", &body);
      if (!res.ok()) return api_error(res.status());
      if (as_json) {
        std::cout << json::serialize(*res) << "\n";
      } else {
        print_fields(*res, {"id", "name", "model", "token"});
        std::cerr << "the token is shown once: store it now\n";
      }
      return 0;
    }
    if (what == "revoke" && pos.size() == 3) {
      auto res = call(*t, verb::delete_, base + "/access-tokens/" + url_encode(arg(2)));
      if (!res.ok()) return api_error(res.status());
      std::cout << "revoked " << arg(2) << "\n";
      return 0;
    }
    return usage("access NAME ls | access NAME create TOKEN_NAME | access NAME revoke ID");
  }
  return usage("see modelhost --help");
}

}  // namespace modelhost::cli
