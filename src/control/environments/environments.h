// Environments: the named runtimes a Model API runs in. `onnx`, the native engine, is built in;
// admins may add Python environments (an interpreter on the nodes and a description) for the
// user-code Model APIs that a later version runs.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "control/store/db.h"

namespace modelhost::control {

struct Environment {
  std::string name;
  std::string kind;         // "onnx" or "python"
  std::string interpreter;  // python: an absolute path to an executable
  std::string description;
  bool builtin = false;
  std::string created_at;
};

class Environments {
 public:
  explicit Environments(Db& db) : db_(db) {}

  Result<std::vector<Environment>> list();
  Result<Environment> get(std::string_view name);
  // Only kind "python" can be added: the interpreter must be an absolute path to an executable
  // file on this machine.
  Result<Environment> create(const Environment& env);
  Status remove(std::string_view name);  // not the built-in one

 private:
  Db& db_;
};

}  // namespace modelhost::control
