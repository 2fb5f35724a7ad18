// See inventory.h.
#include "control/inventory/inventory.h"

#include <dlfcn.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "common/logging.h"
#include "common/text.h"
#include "control/auth/users.h"

namespace modelhost::control {
namespace {

namespace json = boost::json;

// A positive number member of `o` at `where`.
Result<double> number(const json::object& o, const char* key, const std::string& where,
                      bool integer) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return invalid_argument(where + "." + key + " is required");
  double d = 0;
  if (v->is_int64()) {
    d = static_cast<double>(v->as_int64());
  } else if (v->is_uint64()) {
    d = static_cast<double>(v->as_uint64());
  } else if (v->is_double() && !integer) {
    d = v->as_double();
  } else {
    return invalid_argument(where + "." + key + " must be " +
                            (integer ? "an integer" : "a number"));
  }
  if (!(d > 0) || d > 1e9) {
    return invalid_argument(where + "." + key + " must be positive, got " + json::serialize(*v));
  }
  return d;
}

Result<std::string> name_member(const json::object& o, const std::string& where, const char* what) {
  const json::value* v = o.if_contains("name");
  if (v == nullptr || !v->is_string()) return invalid_argument(where + ".name must be a string");
  const std::string name(v->as_string());
  RETURN_IF_ERROR(check_name(what, name).with_context(where + ".name"));
  return name;
}

Result<const json::array*> array_member(const json::object& o, const char* key,
                                        const std::string& where) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return static_cast<const json::array*>(nullptr);
  if (!v->is_array()) return invalid_argument(where + "." + key + " must be an array");
  return &v->as_array();
}

// NVML's entry points, loaded at run time; the header is not needed for these few.
struct Nvml {
  using Init = int (*)();
  using Count = int (*)(unsigned*);
  using Handle = int (*)(unsigned, void**);
  using Text = int (*)(void*, char*, unsigned);
  struct Memory {
    unsigned long long total, free, used;
  };
  using MemoryInfo = int (*)(void*, Memory*);

  std::vector<GpuInfo> gpus() const {
    std::vector<GpuInfo> out;
    void* lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) return out;  // no NVIDIA driver: no GPUs, not an error
    auto init = reinterpret_cast<Init>(dlsym(lib, "nvmlInit_v2"));
    auto shutdown = reinterpret_cast<Init>(dlsym(lib, "nvmlShutdown"));
    auto count = reinterpret_cast<Count>(dlsym(lib, "nvmlDeviceGetCount_v2"));
    auto handle = reinterpret_cast<Handle>(dlsym(lib, "nvmlDeviceGetHandleByIndex_v2"));
    auto name = reinterpret_cast<Text>(dlsym(lib, "nvmlDeviceGetName"));
    auto uuid = reinterpret_cast<Text>(dlsym(lib, "nvmlDeviceGetUUID"));
    auto memory = reinterpret_cast<MemoryInfo>(dlsym(lib, "nvmlDeviceGetMemoryInfo"));
    unsigned n = 0;
    if (init && shutdown && count && handle && name && uuid && memory && init() == 0) {
      if (count(&n) == 0) {
        for (unsigned i = 0; i < n; ++i) {
          void* h = nullptr;
          if (handle(i, &h) != 0) continue;
          char text[96] = {}, id[96] = {};
          Memory mem{};
          name(h, text, sizeof text);
          uuid(h, id, sizeof id);
          memory(h, &mem);
          out.push_back(GpuInfo{static_cast<int>(i), id, text,
                                static_cast<double>(mem.total) / (1024.0 * 1024 * 1024), false});
        }
      }
      shutdown();
    } else {
      LOG_WARN("NVML is present but did not initialize; no GPUs discovered");
    }
    dlclose(lib);
    return out;
  }
};

}  // namespace

bool Inventory::has_pool(const std::string& pool) const {
  for (const NodeInfo& n : nodes) {
    if (n.pool == pool) return true;
  }
  return false;
}

std::vector<std::string> Inventory::pools() const {
  std::set<std::string> s;
  for (const NodeInfo& n : nodes) s.insert(n.pool);
  return {s.begin(), s.end()};
}

Result<Inventory> parse_nodes_json(std::string_view text) {
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) return invalid_argument("the nodes file is not valid JSON: " + ec.message());
  if (!doc.is_object()) return invalid_argument("the nodes file must be a JSON object");
  ASSIGN_OR_RETURN(const json::array* pools, array_member(doc.as_object(), "pools", "nodes file"));
  if (pools == nullptr || pools->empty()) {
    return invalid_argument("the nodes file must have a non-empty \"pools\" array");
  }
  Inventory inv;
  std::set<std::string> pool_names, node_names;
  for (size_t p = 0; p < pools->size(); ++p) {
    const std::string pw = "pools[" + std::to_string(p) + "]";
    if (!(*pools)[p].is_object()) return invalid_argument(pw + " must be an object");
    const json::object& po = (*pools)[p].as_object();
    ASSIGN_OR_RETURN(const std::string pool, name_member(po, pw, "pool name"));
    if (!pool_names.insert(pool).second) {
      return invalid_argument(pw + ": pool \"" + pool + "\" is declared twice");
    }
    ASSIGN_OR_RETURN(const json::array* nodes, array_member(po, "nodes", pw));
    if (nodes == nullptr || nodes->empty()) {
      return invalid_argument(pw + ".nodes must be a non-empty array");
    }
    for (size_t k = 0; k < nodes->size(); ++k) {
      const std::string nw = pw + ".nodes[" + std::to_string(k) + "]";
      if (!(*nodes)[k].is_object()) return invalid_argument(nw + " must be an object");
      const json::object& no = (*nodes)[k].as_object();
      NodeInfo node;
      node.pool = pool;
      node.declared = true;
      ASSIGN_OR_RETURN(node.name, name_member(no, nw, "node name"));
      if (!node_names.insert(node.name).second) {
        return invalid_argument(nw + ": node \"" + node.name + "\" is declared twice");
      }
      ASSIGN_OR_RETURN(const double cpus, number(no, "cpus", nw, true));
      node.cpus = static_cast<int64_t>(cpus);
      ASSIGN_OR_RETURN(node.memory_gib, number(no, "memory_gib", nw, false));
      ASSIGN_OR_RETURN(const json::array* gpus, array_member(no, "gpus", nw));
      for (size_t g = 0; gpus != nullptr && g < gpus->size(); ++g) {
        const std::string gw = nw + ".gpus[" + std::to_string(g) + "]";
        if (!(*gpus)[g].is_object()) return invalid_argument(gw + " must be an object");
        const json::object& go = (*gpus)[g].as_object();
        const json::value* type = go.if_contains("type");
        if (type == nullptr || !type->is_string() || type->as_string().empty() ||
            type->as_string().size() > 64) {
          return invalid_argument(gw + ".type must be a non-empty string of at most 64 characters");
        }
        GpuInfo gpu;
        gpu.index = static_cast<int>(g);
        gpu.type = std::string(type->as_string());
        gpu.uuid = "declared-" + node.name + "-" + std::to_string(g);
        gpu.declared = true;
        ASSIGN_OR_RETURN(gpu.memory_gib, number(go, "memory_gib", gw, false));
        node.gpus.push_back(std::move(gpu));
      }
      inv.nodes.push_back(std::move(node));
    }
  }
  return inv;
}

Result<Inventory> load_nodes_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return invalid_argument("cannot read the nodes file \"" + path + "\"");
  std::stringstream text;
  text << in.rdbuf();
  ASSIGN_OR_RETURN(Inventory inv, parse_nodes_json(text.str()));
  inv.source = path;
  return inv;
}

Inventory discover_local() {
  NodeInfo node;
  char host[256] = {};
  node.name = gethostname(host, sizeof host - 1) == 0 && is_valid_name(host) ? host : "local";
  node.pool = "local";
  node.cpus = std::max<int64_t>(1, std::thread::hardware_concurrency());
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  node.memory_gib = pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) /
                                                (1024.0 * 1024 * 1024)
                                          : 0;
  node.gpus = Nvml().gpus();
  Inventory inv;
  inv.nodes.push_back(std::move(node));
  inv.source = "local";
  return inv;
}

// ---- sampling ---------------------------------------------------------------------------------

struct GpuMonitor::Api {
  using Init = int (*)();
  using Count = int (*)(unsigned*);
  using Handle = int (*)(unsigned, void**);
  using Text = int (*)(void*, char*, unsigned);
  struct Utilization {
    unsigned gpu, memory;
  };
  using UtilizationRates = int (*)(void*, Utilization*);
  using MemoryInfo = int (*)(void*, Nvml::Memory*);
  void* lib = nullptr;
  Init shutdown = nullptr;
  UtilizationRates utilization = nullptr;
  MemoryInfo memory = nullptr;
  std::vector<std::pair<std::string, void*>> devices;  // uuid, handle
};

std::unique_ptr<GpuMonitor> GpuMonitor::open() {
  void* lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) return nullptr;
  auto api = std::make_unique<Api>();
  api->lib = lib;
  auto init = reinterpret_cast<Api::Init>(dlsym(lib, "nvmlInit_v2"));
  api->shutdown = reinterpret_cast<Api::Init>(dlsym(lib, "nvmlShutdown"));
  auto count = reinterpret_cast<Api::Count>(dlsym(lib, "nvmlDeviceGetCount_v2"));
  auto handle = reinterpret_cast<Api::Handle>(dlsym(lib, "nvmlDeviceGetHandleByIndex_v2"));
  auto uuid = reinterpret_cast<Api::Text>(dlsym(lib, "nvmlDeviceGetUUID"));
  api->utilization =
      reinterpret_cast<Api::UtilizationRates>(dlsym(lib, "nvmlDeviceGetUtilizationRates"));
  api->memory = reinterpret_cast<Api::MemoryInfo>(dlsym(lib, "nvmlDeviceGetMemoryInfo"));
  if (!init || !api->shutdown || !count || !handle || !uuid || !api->utilization || !api->memory ||
      init() != 0) {
    dlclose(lib);
    return nullptr;
  }
  unsigned n = 0;
  if (count(&n) == 0) {
    for (unsigned i = 0; i < n; ++i) {
      void* h = nullptr;
      char id[96] = {};
      if (handle(i, &h) == 0 && uuid(h, id, sizeof id) == 0) api->devices.emplace_back(id, h);
    }
  }
  std::unique_ptr<GpuMonitor> m(new GpuMonitor());
  m->api_ = std::move(api);
  return m;
}

GpuMonitor::~GpuMonitor() {
  if (api_) {
    api_->shutdown();
    dlclose(api_->lib);
  }
}

std::map<std::string, GpuSample> GpuMonitor::sample() {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, GpuSample> out;
  for (const auto& [uuid, h] : api_->devices) {
    Api::Utilization u{};
    Nvml::Memory mem{};
    GpuSample s;
    if (api_->utilization(h, &u) == 0) s.utilization_percent = static_cast<int>(u.gpu);
    if (api_->memory(h, &mem) == 0) {
      s.memory_used_gib = static_cast<double>(mem.used) / (1024.0 * 1024 * 1024);
    }
    out[uuid] = s;
  }
  return out;
}

}  // namespace modelhost::control
