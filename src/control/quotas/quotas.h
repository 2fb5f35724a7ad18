// Quotas: per user, the most GPUs, instances, CPU cores and memory their Model APIs may hold at
// once, with a default for users without a quota of their own. A request that would go over is
// refused (HTTP 403) with the limit, the current usage and the request, e.g.
//   quota exceeded for user "ann": GPUs 3 in use + 2 requested > limit 4
// Enforced where instances are asked for (deploy, scale); admins set them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "control/store/db.h"

namespace modelhost::control {

struct Resources {
  int64_t gpus = 0;
  int64_t instances = 0;
  double cpus = 0;
  double memory_gib = 0;
};

struct Quota {
  Resources limit;         // built-in default: 4 GPUs, 8 instances, 32 cores, 128 GiB
  bool is_default = true;  // the user has no quota of their own
};

// OK, or kPermissionDenied naming the first resource that `used` + `request` takes over `limit`.
Status check_quota(const std::string& user, const Resources& limit, const Resources& used,
                   const Resources& request);

class Quotas {
 public:
  explicit Quotas(Db& db) : db_(db) {}

  Result<Resources> default_limit();
  Status set_default_limit(const Resources& limit);
  // The user's quota (their own, or the default); the user must exist.
  Result<Quota> of(const std::string& user);
  Status set(const std::string& user, const Resources& limit);
  Status reset(const std::string& user);  // back to the default

 private:
  Db& db_;
};

// Values must be >= 0 (0 forbids the resource); an error names the member.
Status check_limit(const Resources& limit);

}  // namespace modelhost::control
