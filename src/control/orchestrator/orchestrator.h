// The local orchestrator: makes the world match the database. For every Model API it runs as many
// `modelhost run` processes (instances) of the active version as its deployment asks for, each
// placed by the scheduler on GPUs of its own, with CUDA_VISIBLE_DEVICES set to them and
// `--device cuda:0 --precision P` (for a declared GPU CUDA_VISIBLE_DEVICES is empty and neither
// flag is given: the instance runs its model on the CPU, in fp32, and says "simulated GPU"), CPU
// affinity and an intra-op thread count from the tier's cores, and the tier's memory limit watched.
//
// Instance states: pending (cannot be placed; the reason says why) -> starting (process up,
// readiness probed on /v2/health/ready) -> ready (receives traffic) ; a crash -> backoff (restart
// after 1, 2, 4 ... 30 s) ; five crashes without a minute of readiness between -> failed (with its
// last log lines; a new deployment clears it) ; stopping (no new traffic; SIGTERM once its
// requests are done, SIGKILL after the drain timeout).
//
// A new active version (upload, promotion, rollback), tier or precision rolls over: new instances
// start while the old ones serve; each old instance is drained once a new one is ready, so callers
// see no failed request. When resources (or the quota) cannot hold both, one old instance is
// drained first.
//
// Every running instance is recorded (pid, process start time, port) in the database, so after a
// controller restart, even a kill -9, running instances are adopted instead of started twice, and
// a worker process of this data directory that no record claims is killed.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "control/inventory/inventory.h"
#include "control/models/models.h"
#include "control/quotas/quotas.h"
#include "control/scheduler/scheduler.h"
#include "control/store/db.h"
#include "control/tiers/tiers.h"

namespace modelhost::control {

struct OrchestratorConfig {
  std::string data_dir;
  std::string executable;  // the modelhost binary; "" = this process's own
  std::chrono::milliseconds tick{250};
  std::chrono::seconds drain_timeout{30};         // in-flight requests of a stopping instance
  std::chrono::seconds ready_timeout{600};        // from start to ready
  int max_crashes = 5;                            // in a row, before the instance is failed
  std::chrono::milliseconds first_backoff{1000};  // doubles per crash in a row, up to 30 s
  uint64_t log_rotate_bytes = 10ull << 20;        // an instance's log is rotated past this size
};

// What the API and the dashboard show of an instance.
struct InstanceStatus {
  std::string id;
  std::string model;
  int64_t version = 0;
  // The deployment's tier and precision it was started for (during a rolling update, the old
  // instances show the old ones). Off a discovered GPU it computes in fp32 whatever the precision.
  std::string tier;
  std::string precision;
  std::string state;  // pending, starting, ready, backoff, failed, stopping
  std::string reason;
  std::string node;
  std::vector<int> gpus;
  std::vector<std::string> gpu_uuids;
  bool simulated_gpu = false;
  int64_t restarts = 0;
  int64_t pid = 0;
  int port = 0;
  std::string started_at;  // ISO 8601, "" when not running
  double uptime_s = 0;
  uint64_t memory_bytes = 0;
};

// The flags that tell an instance's `modelhost run` where to compute: `--device cuda:0 --precision
// P` on discovered GPUs (CUDA_VISIBLE_DEVICES names only its own, so the first is cuda:0); none
// without GPUs or on declared (simulated) GPUs, where it runs on the CPU, which computes in fp32
// only (`run --precision fp16` without a CUDA device is a usage error, exit status 2).
std::vector<std::string> instance_device_flags(bool has_gpus, bool simulated_gpus,
                                               const std::string& precision);

// A ready instance the gateway may send a request to.
struct Endpoint {
  std::string instance;
  uint16_t port = 0;
  std::shared_ptr<std::atomic<int>> outstanding;
};

class Orchestrator {
 public:
  Orchestrator(Db& db, ModelApis& models, Tiers& tiers, Quotas& quotas, const Inventory& inventory,
               const BlobStore& blobs, OrchestratorConfig config);
  ~Orchestrator();

  // Adopts the instances recorded in the database that still run, kills strays, and starts the
  // reconcile thread.
  void start();
  // Stops the thread; running instances are left running (the next start adopts them) unless
  // `stop_instances`.
  void stop(bool stop_instances);
  // Reconcile now rather than at the next tick (after a change to the desired state).
  void wake();
  // A new deployment of `model`: its failed instances are forgotten, so they are started afresh.
  void clear_failed(std::string_view model);

  std::vector<InstanceStatus> instances(std::optional<std::string> model) const;
  std::vector<Endpoint> ready_endpoints(std::string_view model) const;
  std::vector<Allocation> allocations() const;
  // The last `lines` lines of an instance's log (its id names it); kNotFound for another model's.
  Result<std::string> logs(std::string_view model, std::string_view instance, size_t lines) const;

 private:
  enum class State { kPending, kStarting, kReady, kBackoff, kFailed, kStopping };
  using Clock = std::chrono::steady_clock;
  struct Instance {
    std::string id;
    std::string model;
    std::string user;
    int64_t version = 0;
    Tier tier;
    std::string precision = "fp32";  // the deployment's, whether or not it computes in it
    State state = State::kPending;
    std::string reason;
    bool placed = false;
    Allocation alloc;
    bool simulated = false;
    std::vector<std::string> gpu_uuids;
    pid_t pid = 0;
    uint64_t pid_start = 0;
    uint16_t port = 0;
    int64_t restarts = 0;
    int crashes_in_row = 0;
    Clock::time_point next_start;
    Clock::time_point started;
    std::chrono::system_clock::time_point started_wall;
    Clock::time_point stop_since;
    bool term_sent = false;
    std::string log_path;
    uint64_t rss = 0;
    std::shared_ptr<std::atomic<int>> outstanding = std::make_shared<std::atomic<int>>(0);
  };

  void run();
  void reconcile();
  void recover();
  void check_processes();
  void converge(const std::vector<ModelApi>& models);
  void place_pending();
  void probe_starting();
  void advance_stopping();
  void launch(Instance& inst);
  void crashed(Instance& inst, const std::string& why);
  void begin_stop(Instance& inst);
  void forget(const std::string& id);
  // Whether two instances of a Model API run the same deployment (version, tier, precision);
  // instances of an older one are replaced by a rolling update.
  static bool same_deployment(const Instance& a, const Instance& b);
  std::string log_tail(const std::string& path, size_t lines) const;
  // Whether a process's command line names a model file of this data directory (an instance
  // this controller, or an earlier run of it, started).
  bool serves_our_blob(const std::vector<std::string>& cmdline) const;
  // The UUIDs of inst.alloc's GPUs, and whether they are declared (simulated).
  void resolve_gpus(Instance& inst) const;
  // Replaces the gateway's view of the ready instances; with mu_ held.
  void publish_routing();
  static const char* state_name(State s);
  InstanceStatus status_of(const Instance& inst) const;

  Db& db_;
  ModelApis& models_;
  Tiers& tiers_;
  Quotas& quotas_;
  const Inventory& inventory_;
  const BlobStore& blobs_;
  const OrchestratorConfig config_;
  const std::string executable_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::deque<Instance> instances_;  // in creation order
  // The ready instances per Model API as the gateway sees them: a snapshot replaced whole, so a
  // request never waits for a reconcile.
  using RoutingTable = std::map<std::string, std::vector<Endpoint>, std::less<>>;
  mutable std::mutex routing_mu_;
  std::shared_ptr<const RoutingTable> routing_;
  int next_slot_ = 0;  // rotates CPU affinity over the machine's cores
  std::thread thread_;
};

}  // namespace modelhost::control
