// Internal to the CLI: where the controller is, one API call, and printing answers as tables.
#pragma once

#include <boost/json.hpp>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "http/client.h"

namespace modelhost::cli {

namespace json = boost::json;
using http::beast_http::verb;

// $XDG_CONFIG_HOME/modelhost/cli.json (~/.config/... without it).
std::filesystem::path config_path();

struct Target {
  std::string url, token;
};

// The controller's URL and the token: from the environment, else from the login file.
Result<Target> target();

// One API call; a non-2xx answer becomes an error carrying the API's message.
Result<json::value> call(const Target& t, verb v, const std::string& path,
                         const json::value* body = nullptr);

// An answer's JSON (the body as a string when it is not JSON), or, for a non-2xx status, an
// error carrying the API's message.
Result<json::value> parse_answer(const http::ClientResponse& res);

// A JSON value as a table cell ("-" for null, "yes"/"no", numbers without noise).
std::string cell(const json::value& v);

// Prints rows of `items` as an aligned table with the given (header, key) columns.
void table(const json::array& items,
           const std::vector<std::pair<std::string, std::string>>& columns);

// Prints "error: <message>" and returns 1.
int api_error(const Status& s);

// Positional arguments first, then flags: removes the positionals from `args` and returns them.
std::vector<std::string_view> positionals(std::vector<std::string_view>& args);

// Fetches `path` and prints it as JSON or through `human`; the exit code.
int show(const Target& t, const std::string& path, bool as_json,
         const std::function<void(const json::value&)>& human);

// The model commands (deploy, ls, status, versions, promote, rollback, scale, stop, start, rm,
// logs, predict, access).
bool is_model_command(std::string_view command);
int model_command(std::string_view command, const std::vector<std::string_view>& args);

}  // namespace modelhost::cli
