// See client.h.
#include "cli/client.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/text.h"

namespace modelhost::cli {

namespace fs = std::filesystem;

fs::path config_path() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  const char* home = std::getenv("HOME");
  fs::path base = xdg != nullptr && *xdg != '\0' ? fs::path(xdg)
                  : home != nullptr              ? fs::path(home) / ".config"
                                                 : fs::path(".");
  return base / "modelhost" / "cli.json";
}

// The controller's URL and the token: from the environment, else from the login file.
Result<Target> target() {
  Target t;
  std::ifstream in(config_path());
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    json::value v = json::parse(text.str(), ec);
    if (!ec && v.is_object()) {
      if (const auto* u = v.as_object().if_contains("url"); u && u->is_string()) {
        t.url = std::string(u->as_string());
      }
      if (const auto* k = v.as_object().if_contains("token"); k && k->is_string()) {
        t.token = std::string(k->as_string());
      }
    }
  }
  if (const char* u = std::getenv("MODELHOST_URL"); u != nullptr && *u != '\0') t.url = u;
  if (const char* k = std::getenv("MODELHOST_TOKEN"); k != nullptr && *k != '\0') t.token = k;
  if (t.url.empty() || t.token.empty()) {
    return invalid_argument(
        "not logged in: run `modelhost login --url http://HOST:PORT --token TOKEN` (or set "
        "MODELHOST_URL and MODELHOST_TOKEN)");
  }
  return t;
}

// One API call; a non-2xx answer becomes an error carrying the API's message.
Result<json::value> call(const Target& t, verb v, const std::string& path,
                         const json::value* body) {
  ASSIGN_OR_RETURN(auto addr, http::parse_http_url(t.url));
  ASSIGN_OR_RETURN(http::ClientResponse res,
                   http::send_request(addr.first, addr.second, v, path,
                                      body ? json::serialize(*body) : std::string(),
                                      {{"Authorization", "Bearer " + t.token}}));
  return parse_answer(res);
}

Result<json::value> parse_answer(const http::ClientResponse& res) {
  json::value parsed;
  if (!res.body.empty()) {
    boost::system::error_code ec;
    parsed = json::parse(res.body, ec);
    if (ec) parsed = json::value(res.body);
  }
  if (res.status >= 200 && res.status < 300) return parsed;
  std::string msg = "HTTP " + std::to_string(res.status);
  if (parsed.is_object()) {
    if (const auto* e = parsed.as_object().if_contains("error"); e && e->is_string()) {
      msg = std::string(e->as_string());
    }
  }
  return Status(StatusCode::kFailedPrecondition, msg);
}

std::string cell(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_null()) return "-";
  if (v.is_bool()) return v.as_bool() ? "yes" : "no";
  if (v.is_double()) return format_number(v.as_double());
  return json::serialize(v);
}

// Prints rows of `items` as an aligned table with the given (header, key) columns.
void table(const json::array& items,
           const std::vector<std::pair<std::string, std::string>>& columns) {
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> width;
  for (const auto& [header, key] : columns) width.push_back(header.size());
  for (const json::value& item : items) {
    std::vector<std::string> row;
    for (size_t c = 0; c < columns.size(); ++c) {
      const json::value* v = item.as_object().if_contains(columns[c].second);
      row.push_back(v ? cell(*v) : "");
      width[c] = std::max(width[c], row.back().size());
    }
    rows.push_back(std::move(row));
  }
  auto print = [&](const std::vector<std::string>& r) {
    std::string line;
    for (size_t c = 0; c < r.size(); ++c) {
      line += r[c];
      if (c + 1 < r.size()) line += std::string(width[c] - r[c].size() + 2, ' ');
    }
    std::cout << line << "\n";
  };
  std::vector<std::string> header;
  for (const auto& [h, key] : columns) header.push_back(h);
  print(header);
  for (const auto& r : rows) print(r);
}

int api_error(const Status& s) {
  std::cerr << "error: " << s.message() << "\n";
  return 1;
}

// Positional arguments first, then flags: splits them.
std::vector<std::string_view> positionals(std::vector<std::string_view>& args) {
  std::vector<std::string_view> pos;
  while (!args.empty() && !args.front().starts_with("-")) {
    pos.push_back(args.front());
    args.erase(args.begin());
  }
  return pos;
}

// The shape every listing and showing command shares: fetch, then JSON or a table/fields.
int show(const Target& t, const std::string& path, bool as_json,
         const std::function<void(const json::value&)>& human) {
  auto v = call(t, verb::get, path);
  if (!v.ok()) return api_error(v.status());
  if (as_json) {
    std::cout << json::serialize(*v) << "\n";
  } else {
    human(*v);
  }
  return 0;
}

}  // namespace modelhost::cli
