// Scheduler: where a new instance of a Model API runs.
//
// Every instance of a GPU tier gets GPUs of its own (the tier's count, of its type when it names
// one); only 0-GPU tiers share nodes, by CPU cores and memory. A placement honours the user's
// quota and the tier's max instances per Model API, and uses the tier's requests (not limits) to
// fit nodes. Among the nodes of the tier's pool that can hold the instance it picks the fullest
// one (fewest matching GPUs left, then fewest cores left, then the name), so that large tiers
// still find whole nodes later; on that node it takes the free GPUs with the lowest indices. The
// same inputs always give the same answer.
//
// When nothing fits the instance stays pending with the reason, for the API and the CLI:
//   needs 1 GPU of type A100 in pool gpu-a, 0 free
//   needs 2 CPU cores and 4 GiB of memory in pool cpu; free on its nodes at most: 1 cores, 30 GiB
//   quota exceeded for user "ann": GPUs 4 in use + 1 requested > limit 4
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "control/inventory/inventory.h"
#include "control/quotas/quotas.h"
#include "control/tiers/tiers.h"

namespace modelhost::control {

// What a running (or starting) instance holds.
struct Allocation {
  std::string instance;
  std::string user;
  std::string model;  // the Model API
  std::string tier;
  std::string node;
  std::vector<int> gpus;  // indices on the node
  double cpus = 0;
  double memory_gib = 0;
};

struct PlacementRequest {
  std::string instance;
  std::string user;
  std::string model;
  Tier tier;
  Resources user_limit;  // the user's quota
};

struct Placement {
  bool placed = false;
  Allocation allocation;  // when placed
  std::string reason;     // when pending
};

// What `user` holds over all their allocations.
Resources usage_of(const std::string& user, const std::vector<Allocation>& current);

Placement place(const Inventory& inventory, const std::vector<Allocation>& current,
                const PlacementRequest& request);

}  // namespace modelhost::control
