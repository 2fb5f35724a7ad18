// Hardware tiers: what an instance of a Model API gets (CPU cores, memory, GPUs of a type) and
// where it may run (a node pool). Admins define them; users pick one for a deployment.
//
// A tier must fit on at least one node of its pool as the inventory stands (cores, memory, GPUs
// of its type); one that never could is refused with the reason, e.g.
//   tier "big" can never be placed: no node in pool "gpu-a" has 4 GPUs of type A100 (the most
//   is 2, on node-1)
// At most one tier is the default for new Model APIs; hidden tiers are seen by admins only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "control/inventory/inventory.h"
#include "control/store/db.h"

namespace modelhost::control {

struct Tier {
  std::string name;
  double cpu_request = 1, cpu_limit = 1;                // cores
  double memory_request_gib = 1, memory_limit_gib = 1;  // GiB
  int64_t gpus = 0;
  std::string gpu_type;  // "" for any type
  std::string node_pool;
  bool visible = true;
  bool is_default = false;
  int64_t max_instances = 32;  // simultaneous instances of one Model API on this tier
  std::string created_at;
};

// Checks the values themselves (positive, request <= limit, ...) and that the tier fits on some
// node of its pool.
Status check_tier(const Tier& tier, const Inventory& inventory);

class Tiers {
 public:
  Tiers(Db& db, const Inventory& inventory) : db_(db), inventory_(inventory) {}

  Result<std::vector<Tier>> list(bool include_hidden);
  Result<Tier> get(std::string_view name);
  // Both check the tier; a tier marked default takes that flag from any other.
  Result<Tier> create(const Tier& tier);
  Result<Tier> update(const Tier& tier);
  Status remove(std::string_view name);

 private:
  Status store(const Tier& tier, bool insert);
  Db& db_;
  const Inventory& inventory_;
};

}  // namespace modelhost::control
