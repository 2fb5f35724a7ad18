// See tiers.h.
#include "control/tiers/tiers.h"

#include <cmath>

#include "common/text.h"
#include "control/auth/users.h"

namespace modelhost::control {
namespace {

constexpr const char* kColumns =
    "SELECT name, cpu_request, cpu_limit, memory_request_gib, memory_limit_gib, gpus, gpu_type, "
    "node_pool, visible, is_default, max_instances, created_at FROM tiers ";

Tier tier_from(const DbRow& r) {
  Tier t;
  t.name = db_text(r[0]);
  t.cpu_request = db_real(r[1]);
  t.cpu_limit = db_real(r[2]);
  t.memory_request_gib = db_real(r[3]);
  t.memory_limit_gib = db_real(r[4]);
  t.gpus = db_int(r[5]);
  t.gpu_type = db_text(r[6]);
  t.node_pool = db_text(r[7]);
  t.visible = db_int(r[8]) != 0;
  t.is_default = db_int(r[9]) != 0;
  t.max_instances = db_int(r[10]);
  t.created_at = db_text(r[11]);
  return t;
}

}  // namespace

Status check_tier(const Tier& t, const Inventory& inventory) {
  RETURN_IF_ERROR(check_name("tier name", t.name));
  auto positive = [](double v) { return std::isfinite(v) && v > 0; };
  if (!positive(t.cpu_request) || !positive(t.cpu_limit) || t.cpu_request > t.cpu_limit) {
    return invalid_argument(
        "cpu_request and cpu_limit must be positive with request <= limit, got " +
        format_number(t.cpu_request) + " and " + format_number(t.cpu_limit));
  }
  if (!positive(t.memory_request_gib) || !positive(t.memory_limit_gib) ||
      t.memory_request_gib > t.memory_limit_gib) {
    return invalid_argument(
        "memory_request_gib and memory_limit_gib must be positive with request <= limit, got " +
        format_number(t.memory_request_gib) + " and " + format_number(t.memory_limit_gib));
  }
  if (t.gpus < 0 || t.gpus > 64) {
    return invalid_argument("gpus must be between 0 and 64, got " + std::to_string(t.gpus));
  }
  if (t.gpu_type.size() > 64) return invalid_argument("gpu_type is longer than 64 characters");
  if (t.max_instances < 1 || t.max_instances > 32) {
    return invalid_argument("max_instances must be between 1 and 32, got " +
                            std::to_string(t.max_instances));
  }
  if (!inventory.has_pool(t.node_pool)) {
    std::string pools;
    for (const std::string& p : inventory.pools()) pools += (pools.empty() ? "" : ", ") + p;
    return invalid_argument("node pool \"" + t.node_pool + "\" does not exist (pools: " + pools +
                            ")");
  }
  // The best node for each resource, to say what is short when none fits.
  int64_t most_gpus = -1, most_cpus = 0;
  double most_memory = 0;
  std::string gpus_on, cpus_on, memory_on;
  for (const NodeInfo& n : inventory.nodes) {
    if (n.pool != t.node_pool) continue;
    int64_t matching = 0;
    for (const GpuInfo& g : n.gpus) matching += t.gpu_type.empty() || g.type == t.gpu_type;
    const bool fits_gpus = matching >= t.gpus;
    const bool fits_cpus = static_cast<double>(n.cpus) >= t.cpu_request;
    const bool fits_memory = n.memory_gib >= t.memory_request_gib;
    if (fits_gpus && fits_cpus && fits_memory) return Status::ok_status();
    if (matching > most_gpus) most_gpus = matching, gpus_on = n.name;
    if (n.cpus > most_cpus) most_cpus = n.cpus, cpus_on = n.name;
    if (n.memory_gib > most_memory) most_memory = n.memory_gib, memory_on = n.name;
  }
  const std::string prefix =
      "tier \"" + t.name + "\" can never be placed: no node in pool \"" + t.node_pool + "\" has ";
  if (most_gpus < t.gpus) {
    const std::string of_type = t.gpu_type.empty() ? "" : " of type " + t.gpu_type;
    return invalid_argument(prefix + std::to_string(t.gpus) + " GPUs" + of_type + " (the most is " +
                            std::to_string(most_gpus) + ", on " + gpus_on + ")");
  }
  if (static_cast<double>(most_cpus) < t.cpu_request) {
    return invalid_argument(prefix + format_number(t.cpu_request) + " CPU cores (the most is " +
                            std::to_string(most_cpus) + ", on " + cpus_on + ")");
  }
  if (most_memory < t.memory_request_gib) {
    return invalid_argument(prefix + format_number(t.memory_request_gib) +
                            " GiB of memory (the most is " + format_number(most_memory) + ", on " +
                            memory_on + ")");
  }
  return invalid_argument(prefix + "its GPUs, cores and memory all on one node");
}

Result<std::vector<Tier>> Tiers::list(bool include_hidden) {
  ASSIGN_OR_RETURN(auto rows,
                   db_.query(std::string(kColumns) + (include_hidden ? "" : "WHERE visible = 1 ") +
                             "ORDER BY name"));
  std::vector<Tier> out;
  for (const auto& r : rows) out.push_back(tier_from(r));
  return out;
}

Result<Tier> Tiers::get(std::string_view name) {
  ASSIGN_OR_RETURN(auto rows,
                   db_.query(std::string(kColumns) + "WHERE name = ?", {std::string(name)}));
  if (rows.empty()) return not_found("no tier \"" + std::string(name.substr(0, 80)) + "\"");
  return tier_from(rows[0]);
}

Result<Tier> Tiers::create(const Tier& tier) {
  RETURN_IF_ERROR(check_tier(tier, inventory_));
  RETURN_IF_ERROR(store(tier, true));
  return get(tier.name);
}

Result<Tier> Tiers::update(const Tier& tier) {
  RETURN_IF_ERROR(get(tier.name).status());
  RETURN_IF_ERROR(check_tier(tier, inventory_));
  RETURN_IF_ERROR(store(tier, false));
  return get(tier.name);
}

Status Tiers::store(const Tier& t, bool insert) {
  return db_.transaction([&]() -> Status {
    if (t.is_default) RETURN_IF_ERROR(db_.exec("UPDATE tiers SET is_default = 0"));
    const std::vector<DbValue> values = {db_real_value(t.cpu_request),
                                         db_real_value(t.cpu_limit),
                                         db_real_value(t.memory_request_gib),
                                         db_real_value(t.memory_limit_gib),
                                         t.gpus,
                                         t.gpu_type,
                                         t.node_pool,
                                         int64_t{t.visible},
                                         int64_t{t.is_default},
                                         t.max_instances,
                                         t.name};
    Status st = insert ? db_.exec(
                             "INSERT INTO tiers (cpu_request, cpu_limit, memory_request_gib, "
                             "memory_limit_gib, gpus, gpu_type, node_pool, visible, is_default, "
                             "max_instances, name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             values)
                       : db_.exec(
                             "UPDATE tiers SET cpu_request = ?, cpu_limit = ?, "
                             "memory_request_gib = ?, memory_limit_gib = ?, gpus = ?, "
                             "gpu_type = ?, node_pool = ?, visible = ?, is_default = ?, "
                             "max_instances = ? WHERE name = ?",
                             values);
    if (st.code() == StatusCode::kAlreadyExists) {
      return Status(StatusCode::kAlreadyExists, "tier \"" + t.name + "\" exists already");
    }
    return st;
  });
}

Status Tiers::remove(std::string_view name) {
  RETURN_IF_ERROR(get(name).status());
  return db_.exec("DELETE FROM tiers WHERE name = ?", {std::string(name)});
}

}  // namespace modelhost::control
