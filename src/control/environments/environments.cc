// See environments.h.
#include "control/environments/environments.h"

#include <unistd.h>

#include <filesystem>

#include "control/auth/users.h"

namespace modelhost::control {
namespace {

constexpr const char* kColumns =
    "SELECT name, kind, interpreter, description, builtin, created_at FROM environments ";

Environment from(const DbRow& r) {
  return Environment{db_text(r[0]), db_text(r[1]),     db_text(r[2]),
                     db_text(r[3]), db_int(r[4]) != 0, db_text(r[5])};
}

}  // namespace

Result<std::vector<Environment>> Environments::list() {
  ASSIGN_OR_RETURN(auto rows, db_.query(std::string(kColumns) + "ORDER BY builtin DESC, name"));
  std::vector<Environment> out;
  for (const auto& r : rows) out.push_back(from(r));
  return out;
}

Result<Environment> Environments::get(std::string_view name) {
  ASSIGN_OR_RETURN(auto rows,
                   db_.query(std::string(kColumns) + "WHERE name = ?", {std::string(name)}));
  if (rows.empty()) return not_found("no environment \"" + std::string(name.substr(0, 80)) + "\"");
  return from(rows[0]);
}

Result<Environment> Environments::create(const Environment& env) {
  RETURN_IF_ERROR(check_name("environment name", env.name));
  if (env.kind != "python") {
    return invalid_argument(
        "kind must be \"python\" (the \"onnx\" environment is built in), got \"" +
        env.kind.substr(0, 40) + "\"");
  }
  namespace fs = std::filesystem;
  const fs::path interpreter(env.interpreter);
  std::error_code ec;
  if (!interpreter.is_absolute() || !fs::is_regular_file(interpreter, ec) ||
      ::access(interpreter.c_str(), X_OK) != 0) {
    return invalid_argument("interpreter must be the absolute path of an executable file, got \"" +
                            env.interpreter.substr(0, 200) + "\"");
  }
  if (env.description.size() > 1000) {
    return invalid_argument("description is longer than 1000 characters");
  }
  Status st = db_.exec(
      "INSERT INTO environments (name, kind, interpreter, description, builtin) "
      "VALUES (?, ?, ?, ?, 0)",
      {env.name, env.kind, env.interpreter, env.description});
  if (st.code() == StatusCode::kAlreadyExists) {
    return Status(StatusCode::kAlreadyExists, "environment \"" + env.name + "\" exists already");
  }
  RETURN_IF_ERROR(st);
  return get(env.name);
}

Status Environments::remove(std::string_view name) {
  ASSIGN_OR_RETURN(Environment env, get(name));
  if (env.builtin) {
    return failed_precondition("environment \"" + env.name +
                               "\" is built in and cannot be removed");
  }
  return db_.exec("DELETE FROM environments WHERE name = ?", {env.name});
}

}  // namespace modelhost::control
