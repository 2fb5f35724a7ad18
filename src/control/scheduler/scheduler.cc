// See scheduler.h.
#include "control/scheduler/scheduler.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "common/text.h"

namespace modelhost::control {
namespace {

struct Free {
  std::vector<int> gpus;  // free and of the tier's type, ascending
  double cpus = 0;
  double memory_gib = 0;
};

Free free_on(const NodeInfo& node, const std::vector<Allocation>& current, const Tier& tier) {
  std::set<int> taken;
  Free f{{}, static_cast<double>(node.cpus), node.memory_gib};
  for (const Allocation& a : current) {
    if (a.node != node.name) continue;
    taken.insert(a.gpus.begin(), a.gpus.end());
    f.cpus -= a.cpus;
    f.memory_gib -= a.memory_gib;
  }
  for (const GpuInfo& g : node.gpus) {
    if (!taken.count(g.index) && (tier.gpu_type.empty() || g.type == tier.gpu_type)) {
      f.gpus.push_back(g.index);
    }
  }
  return f;
}

std::string gpus_text(const Tier& t) {
  return std::to_string(t.gpus) + " GPU" + (t.gpus == 1 ? "" : "s") +
         (t.gpu_type.empty() ? "" : " of type " + t.gpu_type);
}

}  // namespace

Resources usage_of(const std::string& user, const std::vector<Allocation>& current) {
  Resources r;
  for (const Allocation& a : current) {
    if (a.user != user) continue;
    r.gpus += static_cast<int64_t>(a.gpus.size());
    r.instances += 1;
    r.cpus += a.cpus;
    r.memory_gib += a.memory_gib;
  }
  return r;
}

Placement place(const Inventory& inventory, const std::vector<Allocation>& current,
                const PlacementRequest& req) {
  const Tier& t = req.tier;
  Placement out;
  int64_t same = 0;
  for (const Allocation& a : current) same += a.model == req.model && a.tier == t.name;
  if (same >= t.max_instances) {
    out.reason = "tier \"" + t.name + "\" allows at most " + std::to_string(t.max_instances) +
                 " instances of one Model API";
    return out;
  }
  const Resources asked{t.gpus, 1, t.cpu_request, t.memory_request_gib};
  if (Status st = check_quota(req.user, req.user_limit, usage_of(req.user, current), asked);
      !st.ok()) {
    out.reason = st.message();
    return out;
  }
  // The fullest node that fits; and, for the reason, the most any node of the pool has free.
  const NodeInfo* best = nullptr;
  Free best_free;
  std::tuple<size_t, double, std::string> best_key;
  size_t most_gpus = 0;
  double most_cpus = 0, most_memory = 0;
  for (const NodeInfo& node : inventory.nodes) {
    if (node.pool != t.node_pool) continue;
    const Free f = free_on(node, current, t);
    most_gpus = std::max(most_gpus, f.gpus.size());
    const bool gpus_fit = static_cast<int64_t>(f.gpus.size()) >= t.gpus;
    if (gpus_fit) {
      most_cpus = std::max(most_cpus, f.cpus);
      most_memory = std::max(most_memory, f.memory_gib);
    }
    if (!gpus_fit || f.cpus + 1e-9 < t.cpu_request || f.memory_gib + 1e-9 < t.memory_request_gib) {
      continue;
    }
    auto key = std::make_tuple(f.gpus.size() - static_cast<size_t>(t.gpus), f.cpus, node.name);
    if (best == nullptr || key < best_key) {
      best = &node;
      best_free = f;
      best_key = key;
    }
  }
  if (best == nullptr) {
    if (static_cast<int64_t>(most_gpus) < t.gpus) {
      out.reason = "needs " + gpus_text(t) + " in pool " + t.node_pool + ", " +
                   std::to_string(most_gpus) + " free";
    } else {
      out.reason = "needs " + format_number(t.cpu_request) + " CPU cores and " +
                   format_number(t.memory_request_gib) + " GiB of memory in pool " + t.node_pool +
                   (t.gpus > 0 ? " with " + gpus_text(t) + " free" : "") +
                   "; free on its nodes at most: " + format_number(std::max(0.0, most_cpus)) +
                   " cores, " + format_number(std::max(0.0, most_memory)) + " GiB";
    }
    return out;
  }
  out.placed = true;
  out.allocation = Allocation{
      req.instance,  req.user,
      req.model,     t.name,
      best->name,    std::vector<int>(best_free.gpus.begin(), best_free.gpus.begin() + t.gpus),
      t.cpu_request, t.memory_request_gib};
  return out;
}

}  // namespace modelhost::control
