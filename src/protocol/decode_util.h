// Small helpers shared by the request decoders in this folder (not part of the public API).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/exec/session.h"

namespace modelhost::protocol {

inline const boost::json::value* find_key(const boost::json::object& o, std::string_view key) {
  auto it = o.find(boost::json::string_view(key.data(), key.size()));
  return it == o.end() ? nullptr : &it->value();
}

inline std::string_view as_view(const boost::json::string& s) { return {s.data(), s.size()}; }

// "a, b, c"
inline std::string join_names(const std::vector<engine::TensorInfo>& infos) {
  std::string out;
  for (size_t i = 0; i < infos.size(); ++i) {
    if (i) out += ", ";
    out += infos[i].name;
  }
  return out;
}

inline int find_tensor(const std::vector<engine::TensorInfo>& infos, std::string_view name) {
  for (size_t i = 0; i < infos.size(); ++i) {
    if (infos[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

// `input "x"`
inline std::string tensor_label(std::string_view kind, std::string_view name) {
  std::string s(kind);
  s += " \"";
  s += name;
  s += '"';
  return s;
}

// kInvalidArgument "<label>: <problem>"
inline Status invalid(std::string_view label, std::string_view problem) {
  std::string msg(label);
  msg += ": ";
  msg += problem;
  return invalid_argument(std::move(msg));
}

// Same rank, and every fixed (>= 0) dim of `expected` equal in `got`.
inline bool fixed_dims_match(const engine::Shape& expected, const engine::Shape& got) {
  if (expected.size() != got.size()) return false;
  for (size_t i = 0; i < got.size(); ++i) {
    if (expected[i] >= 0 && expected[i] != got[i]) return false;
  }
  return true;
}

}  // namespace modelhost::protocol
