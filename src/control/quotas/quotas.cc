// See quotas.h.
#include "control/quotas/quotas.h"

#include <cmath>

#include "common/text.h"

namespace modelhost::control {
namespace {

Resources from_row(const DbRow& r, size_t at) {
  return Resources{db_int(r[at]), db_int(r[at + 1]), db_real(r[at + 2]), db_real(r[at + 3])};
}

std::vector<DbValue> values(const Resources& l) {
  return {l.gpus, l.instances, db_real_value(l.cpus), db_real_value(l.memory_gib)};
}

}  // namespace

Status check_quota(const std::string& user, const Resources& limit, const Resources& used,
                   const Resources& request) {
  auto over = [&](const char* what, double in_use, double asked, double max) -> Status {
    if (in_use + asked <= max + 1e-9) return Status::ok_status();
    return Status(StatusCode::kPermissionDenied, "quota exceeded for user \"" + user +
                                                     "\": " + what + " " + format_number(in_use) +
                                                     " in use + " + format_number(asked) +
                                                     " requested > limit " + format_number(max));
  };
  RETURN_IF_ERROR(over("GPUs", static_cast<double>(used.gpus), static_cast<double>(request.gpus),
                       static_cast<double>(limit.gpus)));
  RETURN_IF_ERROR(over("instances", static_cast<double>(used.instances),
                       static_cast<double>(request.instances),
                       static_cast<double>(limit.instances)));
  RETURN_IF_ERROR(over("CPU cores", used.cpus, request.cpus, limit.cpus));
  return over("memory GiB", used.memory_gib, request.memory_gib, limit.memory_gib);
}

Status check_limit(const Resources& l) {
  if (l.gpus < 0 || l.gpus > 100000) return invalid_argument("max_gpus must be >= 0");
  if (l.instances < 0 || l.instances > 100000) {
    return invalid_argument("max_instances must be >= 0");
  }
  if (!std::isfinite(l.cpus) || l.cpus < 0) return invalid_argument("max_cpus must be >= 0");
  if (!std::isfinite(l.memory_gib) || l.memory_gib < 0) {
    return invalid_argument("max_memory_gib must be >= 0");
  }
  return Status::ok_status();
}

Result<Resources> Quotas::default_limit() {
  ASSIGN_OR_RETURN(auto rows, db_.query("SELECT max_gpus, max_instances, max_cpus, max_memory_gib "
                                        "FROM default_quota WHERE id = 1"));
  if (rows.empty()) return Resources{4, 8, 32, 128};
  return from_row(rows[0], 0);
}

Status Quotas::set_default_limit(const Resources& limit) {
  RETURN_IF_ERROR(check_limit(limit));
  std::vector<DbValue> v = values(limit);
  return db_.exec(
      "INSERT INTO default_quota (id, max_gpus, max_instances, max_cpus, max_memory_gib) "
      "VALUES (1, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET max_gpus = excluded.max_gpus, "
      "max_instances = excluded.max_instances, max_cpus = excluded.max_cpus, "
      "max_memory_gib = excluded.max_memory_gib",
      v);
}

Result<Quota> Quotas::of(const std::string& user) {
  ASSIGN_OR_RETURN(auto users, db_.query("SELECT id FROM users WHERE name = ?", {user}));
  if (users.empty()) return not_found("no user \"" + user.substr(0, 80) + "\"");
  ASSIGN_OR_RETURN(auto rows, db_.query("SELECT max_gpus, max_instances, max_cpus, max_memory_gib "
                                        "FROM quotas WHERE user_id = ?",
                                        {db_int(users[0][0])}));
  if (rows.empty()) {
    ASSIGN_OR_RETURN(Resources d, default_limit());
    return Quota{d, true};
  }
  return Quota{from_row(rows[0], 0), false};
}

Status Quotas::set(const std::string& user, const Resources& limit) {
  RETURN_IF_ERROR(check_limit(limit));
  ASSIGN_OR_RETURN(auto users, db_.query("SELECT id FROM users WHERE name = ?", {user}));
  if (users.empty()) return not_found("no user \"" + user.substr(0, 80) + "\"");
  std::vector<DbValue> v = {db_int(users[0][0])};
  for (DbValue& x : values(limit)) v.push_back(std::move(x));
  return db_.exec(
      "INSERT INTO quotas (user_id, max_gpus, max_instances, max_cpus, max_memory_gib) "
      "VALUES (?, ?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET max_gpus = excluded.max_gpus, "
      "max_instances = excluded.max_instances, max_cpus = excluded.max_cpus, "
      "max_memory_gib = excluded.max_memory_gib",
      v);
}

Status Quotas::reset(const std::string& user) {
  ASSIGN_OR_RETURN(auto users, db_.query("SELECT id FROM users WHERE name = ?", {user}));
  if (users.empty()) return not_found("no user \"" + user.substr(0, 80) + "\"");
  return db_.exec("DELETE FROM quotas WHERE user_id = ?", {db_int(users[0][0])});
}

}  // namespace modelhost::control
