// Inventory: the nodes the controller may place instances on, grouped in node pools, with their
// CPU cores, memory and GPUs.
//
// Without a nodes file the local machine is discovered at start: its cores, its memory, and its
// NVIDIA GPUs through NVML, loaded at run time (dlopen of libnvidia-ml.so.1; a machine without
// it simply has no GPUs). A nodes file declares pools and nodes instead, so that scheduling can
// be exercised on a machine without GPUs; its GPUs are marked declared. The file's shape:
//
//   {"pools": [{"name": "gpu-a", "nodes": [{"name": "node-1", "cpus": 16, "memory_gib": 64,
//     "gpus": [{"type": "A100", "memory_gib": 80}, {"type": "A100", "memory_gib": 80}]}]}]}
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"

namespace modelhost::control {

struct GpuInfo {
  int index = 0;     // on its node
  std::string uuid;  // NVML's, or "declared-<node>-<index>"
  std::string type;  // "A100", "NVIDIA H100 80GB HBM3", ...
  double memory_gib = 0;
  bool declared = false;  // from a nodes file: instances placed on it run on the CPU
};

struct NodeInfo {
  std::string name;
  std::string pool;
  int64_t cpus = 0;
  double memory_gib = 0;
  std::vector<GpuInfo> gpus;
  bool declared = false;
};

struct Inventory {
  std::vector<NodeInfo> nodes;
  std::string source;  // "local" or the nodes file's path

  bool has_pool(const std::string& pool) const;
  std::vector<std::string> pools() const;
};

// Parses a nodes file; errors name the entry at fault ("pools[0].nodes[1].cpus must be ...").
Result<Inventory> parse_nodes_json(std::string_view text);
Result<Inventory> load_nodes_file(const std::string& path);

// This machine as one node of pool "local", named after the host.
Inventory discover_local();

// What a discovered GPU is doing now (NVML's utilization over its last sample period).
struct GpuSample {
  int utilization_percent = 0;
  double memory_used_gib = 0;
};

// Keeps NVML open to sample this machine's GPUs for the dashboard; absent without the driver.
class GpuMonitor {
 public:
  // nullptr when NVML cannot be loaded or initialized (no NVIDIA driver).
  static std::unique_ptr<GpuMonitor> open();
  ~GpuMonitor();
  GpuMonitor(const GpuMonitor&) = delete;
  GpuMonitor& operator=(const GpuMonitor&) = delete;

  // By GPU UUID; thread-safe.
  std::map<std::string, GpuSample> sample();

 private:
  GpuMonitor() = default;
  struct Api;
  std::unique_ptr<Api> api_;
  std::mutex mu_;
};

}  // namespace modelhost::control
