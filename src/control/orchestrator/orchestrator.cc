// See orchestrator.h.
#include "control/orchestrator/orchestrator.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "common/ids.h"
#include "common/logging.h"
#include "common/process.h"
#include "common/text.h"
#include "http/client.h"

namespace modelhost::control {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr auto kReadyResetsCrashes = std::chrono::seconds(60);
// `modelhost run`'s exit code for a device it cannot use (worker/cli.cc).
constexpr int kNoUsableDevice = 3;

// A port nothing listens on now (the worker binds it a moment later).
uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

std::string iso_time(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string gpus_json(const std::vector<int>& gpus) {
  json::array a;
  for (int g : gpus) a.push_back(g);
  return json::serialize(a);
}

std::vector<int> parse_gpus(const std::string& text) {
  std::vector<int> out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& g : v.as_array()) {
    if (g.is_int64()) out.push_back(static_cast<int>(g.as_int64()));
  }
  return out;
}

// The path of this binary, so that instances show up as `modelhost run ...` in ps.
std::string own_executable() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("/proc/self/exe") : p.string();
}

void signal_group(pid_t pid, int sig) {
  if (pid <= 0) return;
  if (::kill(-pid, sig) != 0) ::kill(pid, sig);
}

}  // namespace

std::vector<std::string> instance_device_flags(bool has_gpus, bool simulated_gpus,
                                               const std::string& precision) {
  if (!has_gpus || simulated_gpus) return {};
  return {"--device", "cuda:0", "--precision", precision};
}

Orchestrator::Orchestrator(Db& db, ModelApis& models, Tiers& tiers, Quotas& quotas,
                           const Inventory& inventory, const BlobStore& blobs,
                           OrchestratorConfig config)
    : db_(db),
      models_(models),
      tiers_(tiers),
      quotas_(quotas),
      inventory_(inventory),
      blobs_(blobs),
      config_(std::move(config)),
      executable_(config_.executable.empty() ? own_executable() : config_.executable) {}

Orchestrator::~Orchestrator() { stop(false); }

void Orchestrator::start() {
  std::error_code ec;
  fs::create_directories(fs::path(config_.data_dir) / "logs", ec);
  recover();
  thread_ = std::thread([this] { run(); });
}

void Orchestrator::stop(bool stop_instances) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (!stop_instances) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& inst : instances_) signal_group(inst.pid, SIGTERM);
  // Each worker drains its requests and exits; whatever is left after the drain timeout is killed.
  const auto deadline = Clock::now() + config_.drain_timeout;
  for (;;) {
    bool left = false;
    for (auto& inst : instances_) {
      if (inst.pid <= 0) continue;
      if (reap(inst.pid) >= 0) {
        inst.pid = 0;
        (void)db_.exec("DELETE FROM instances WHERE id = ?", {inst.id});
      } else {
        left = true;
      }
    }
    if (!left) break;
    if (Clock::now() > deadline) {
      for (auto& inst : instances_) signal_group(inst.pid, SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  instances_.clear();
  publish_routing();
}

void Orchestrator::wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void Orchestrator::clear_failed(std::string_view model) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::erase_if(instances_,
                  [&](const Instance& i) { return i.model == model && i.state == State::kFailed; });
  }
  wake();
}

void Orchestrator::run() {
  for (;;) {
    reconcile();
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, config_.tick, [this] { return stopping_ || woken_; });
    woken_ = false;
    if (stopping_) return;
  }
}

// ---- restart recovery ---------------------------------------------------------------------------

void Orchestrator::recover() {
  auto rows = db_.query(
      "SELECT id, model, version, owner, tier, node, gpus, cpus, memory_gib, restarts, pid, "
      "pid_start, port, started_at, precision FROM instances");
  if (!rows.ok()) {
    LOG_ERROR("cannot read the instances table").kv("error", rows.status().message());
    return;
  }
  std::set<pid_t> adopted;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& r : *rows) {
    const std::string id = db_text(r[0]);
    const auto pid = static_cast<pid_t>(db_int(r[10]));
    const auto pid_start = static_cast<uint64_t>(db_int(r[11]));
    const auto cmd = process_cmdline(pid);
    const bool ours = serves_our_blob(cmd);
    auto tier = tiers_.get(db_text(r[4]));
    if (pid <= 0 || process_start_ticks(pid) != pid_start || !ours || !tier.ok()) {
      if (pid > 0 && ours && process_start_ticks(pid) == pid_start) signal_group(pid, SIGTERM);
      (void)db_.exec("DELETE FROM instances WHERE id = ?", {id});
      continue;
    }
    Instance inst;
    inst.id = id;
    inst.model = db_text(r[1]);
    inst.version = db_int(r[2]);
    inst.user = db_text(r[3]);
    inst.tier = *tier;
    inst.precision = db_text(r[14]);
    inst.placed = true;
    inst.alloc = Allocation{id,
                            inst.user,
                            inst.model,
                            inst.tier.name,
                            db_text(r[5]),
                            parse_gpus(db_text(r[6])),
                            db_real(r[7]),
                            db_real(r[8])};
    resolve_gpus(inst);
    inst.restarts = db_int(r[9]);
    inst.pid = pid;
    inst.pid_start = pid_start;
    inst.port = static_cast<uint16_t>(db_int(r[12]));
    inst.state = State::kStarting;  // probed again before it gets traffic
    inst.started = Clock::now();
    inst.started_wall = std::chrono::system_clock::now();
    inst.log_path = (fs::path(config_.data_dir) / "logs" / (id + ".log")).string();
    adopted.insert(pid);
    LOG_INFO("instance adopted").kv("instance", id).kv("model", inst.model).kv("pid", pid);
    instances_.push_back(std::move(inst));
  }
  // Workers of this data directory that no record claims (the controller died between starting
  // one and recording it): stop them, so nothing runs twice.
  for (pid_t pid : list_pids()) {
    if (adopted.count(pid) != 0 || pid == ::getpid()) continue;
    const auto cmd = process_cmdline(pid);
    if (cmd.size() < 2 || cmd[1] != "run") continue;
    const bool ours = serves_our_blob(cmd);
    if (!ours) continue;
    LOG_WARN("stopping a stray instance process").kv("pid", pid);
    signal_group(pid, SIGKILL);
  }
}

bool Orchestrator::serves_our_blob(const std::vector<std::string>& cmdline) const {
  return std::any_of(cmdline.begin(), cmdline.end(),
                     [&](const std::string& a) { return a.rfind(blobs_.blob_dir(), 0) == 0; });
}

void Orchestrator::resolve_gpus(Instance& inst) const {
  inst.gpu_uuids.clear();
  inst.simulated = false;
  for (const NodeInfo& n : inventory_.nodes) {
    if (n.name != inst.alloc.node) continue;
    for (int g : inst.alloc.gpus) {
      if (g < 0 || g >= static_cast<int>(n.gpus.size())) continue;
      inst.gpu_uuids.push_back(n.gpus[static_cast<size_t>(g)].uuid);
      inst.simulated = inst.simulated || n.gpus[static_cast<size_t>(g)].declared;
    }
  }
}

// ---- the reconcile loop -----------------------------------------------------------------------

void Orchestrator::reconcile() {
  auto models = models_.list(std::nullopt);
  if (!models.ok()) {
    LOG_ERROR("cannot read the Model APIs").kv("error", models.status().message());
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    check_processes();
    converge(*models);
    place_pending();
    publish_routing();
    advance_stopping();
  }
  probe_starting();
  // Model APIs being deleted whose instances are all gone.
  for (const ModelApi& m : *models) {
    if (!m.deleting) continue;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (std::any_of(instances_.begin(), instances_.end(),
                      [&](const Instance& i) { return i.model == m.name; })) {
        continue;
      }
    }
    std::vector<std::string> shas;
    if (auto versions = models_.versions(m.name); versions.ok()) {
      for (const auto& v : *versions) shas.push_back(v.sha256);
    }
    if (Status st = models_.erase(m.name); !st.ok()) {
      LOG_ERROR("cannot delete a Model API").kv("model", m.name).kv("error", st.message());
      continue;
    }
    if (auto orphans = models_.orphan_blobs(shas); orphans.ok()) {
      for (const auto& sha : *orphans) {
        std::error_code ec;
        fs::remove(blobs_.path_of(sha), ec);
      }
    }
    LOG_INFO("Model API deleted").kv("model", m.name);
  }
}

void Orchestrator::check_processes() {
  const auto now = Clock::now();
  for (auto& inst : instances_) {
    if (inst.pid <= 0) continue;
    const int rc = reap(inst.pid);
    if (rc >= 0) {
      const pid_t pid = inst.pid;
      inst.pid = 0;
      (void)db_.exec("DELETE FROM instances WHERE id = ?", {inst.id});
      if (inst.state == State::kStopping) continue;  // advance_stopping() forgets it
      if (rc == kNoUsableDevice) {
        // The GPU it was given cannot be used: restarting would only repeat that.
        inst.state = State::kFailed;
        inst.reason = "failed: no usable GPU for this instance; last log lines:\n" +
                      log_tail(inst.log_path, 5);
        inst.placed = false;
        LOG_ERROR("instance has no usable GPU").kv("instance", inst.id).kv("model", inst.model);
        continue;
      }
      crashed(inst,
              "exited with status " + std::to_string(rc) + " (pid " + std::to_string(pid) + ")");
      continue;
    }
    inst.rss = process_rss_bytes(inst.pid);
    const double limit = inst.tier.memory_limit_gib * 1073741824.0;
    if (limit > 0 && static_cast<double>(inst.rss) > limit && inst.state != State::kStopping) {
      signal_group(inst.pid, SIGKILL);
      inst.reason = "killed: its memory (" +
                    format_number(static_cast<double>(inst.rss) / 1073741824.0) +
                    " GiB) went over the tier's limit of " +
                    format_number(inst.tier.memory_limit_gib) + " GiB";
      LOG_WARN("instance over its memory limit").kv("instance", inst.id).kv("rss", inst.rss);
    }
    if (inst.state == State::kReady && inst.crashes_in_row > 0 &&
        now - inst.started > kReadyResetsCrashes) {
      inst.crashes_in_row = 0;
    }
    // Rotation: copy and truncate (the worker appends, so it goes on writing at the new end).
    std::error_code ec;
    const auto size = fs::file_size(inst.log_path, ec);
    if (!ec && size > config_.log_rotate_bytes) {
      fs::copy_file(inst.log_path, inst.log_path + ".1", fs::copy_options::overwrite_existing, ec);
      if (!ec) fs::resize_file(inst.log_path, 0, ec);
    }
  }
}

void Orchestrator::crashed(Instance& inst, const std::string& why) {
  ++inst.restarts;
  ++inst.crashes_in_row;
  const std::string tail = log_tail(inst.log_path, 5);
  const std::string cause = inst.reason.rfind("killed:", 0) == 0 ? inst.reason : why;
  LOG_WARN("instance crashed").kv("instance", inst.id).kv("model", inst.model).kv("why", cause);
  if (inst.crashes_in_row >= config_.max_crashes) {
    inst.state = State::kFailed;
    inst.reason = "failed: " + cause + ", " + std::to_string(inst.crashes_in_row) +
                  " times in a row; last log lines:\n" + tail;
    inst.placed = false;  // its GPUs go back to the pool
    return;
  }
  const int shift = std::min(inst.crashes_in_row - 1, 15);
  const auto delay = std::min<std::chrono::milliseconds>(config_.first_backoff * (1 << shift),
                                                         std::chrono::seconds(30));
  inst.state = State::kBackoff;
  inst.next_start = Clock::now() + delay;
  inst.reason = cause + "; restarting in " +
                format_number(static_cast<double>(delay.count()) / 1000) + " s" +
                (tail.empty() ? "" : "; last log lines:\n" + tail);
}

void Orchestrator::converge(const std::vector<ModelApi>& models) {
  std::map<std::string, const ModelApi*> by_name;
  for (const auto& m : models) by_name[m.name] = &m;
  for (const ModelApi& m : models) {
    const bool wanted = m.running && !m.deleting && !m.tier.empty() && m.active_version > 0;
    const int64_t desired = wanted ? m.instances : 0;
    std::vector<Instance*> current, old;
    for (auto& inst : instances_) {
      if (inst.model != m.name || inst.state == State::kStopping) continue;
      const bool same = inst.version == m.active_version && inst.tier.name == m.tier &&
                        inst.precision == m.precision;
      (same && wanted ? current : old).push_back(&inst);
    }
    // Scale up: new instances start pending; place_pending() finds them a home.
    if (static_cast<int64_t>(current.size()) < desired) {
      auto tier = tiers_.get(m.tier);
      if (!tier.ok()) continue;
      for (int64_t i = static_cast<int64_t>(current.size()); i < desired; ++i) {
        Instance inst;
        inst.id = new_id("inst-");
        inst.model = m.name;
        inst.user = m.owner;
        inst.version = m.active_version;
        inst.tier = *tier;
        inst.precision = m.precision;
        inst.log_path = (fs::path(config_.data_dir) / "logs" / (inst.id + ".log")).string();
        instances_.push_back(std::move(inst));
      }
    }
    // Scale down: the least useful first (pending, failed, backing off, starting, then the newest).
    if (static_cast<int64_t>(current.size()) > desired) {
      std::stable_sort(current.begin(), current.end(), [](const Instance* a, const Instance* b) {
        return static_cast<int>(a->state == State::kReady) <
               static_cast<int>(b->state == State::kReady);
      });
      for (size_t i = 0; i < current.size() - static_cast<size_t>(desired); ++i) {
        begin_stop(*current[i]);
      }
    }
    // Rolling update: keep as many old instances as new ones are still missing.
    const int64_t ready_new = std::count_if(current.begin(), current.end(), [](const Instance* i) {
      return i->state == State::kReady;
    });
    const int64_t keep_old = std::max<int64_t>(0, desired - ready_new);
    std::stable_sort(old.begin(), old.end(), [](const Instance* a, const Instance* b) {
      return static_cast<int>(a->state == State::kReady) <
             static_cast<int>(b->state == State::kReady);
    });
    int64_t old_ready = std::count_if(old.begin(), old.end(),
                                      [](const Instance* i) { return i->state == State::kReady; });
    for (Instance* inst : old) {
      if (inst->state != State::kReady) {
        begin_stop(*inst);  // an old instance that serves nothing goes at once
      } else if (old_ready > keep_old) {
        begin_stop(*inst);
        --old_ready;
      }
    }
  }
  // Instances of Model APIs that no longer exist.
  for (auto& inst : instances_) {
    if (by_name.count(inst.model) == 0 && inst.state != State::kStopping) begin_stop(inst);
  }
}

void Orchestrator::place_pending() {
  std::vector<Allocation> current;
  for (const auto& inst : instances_) {
    if (inst.placed) current.push_back(inst.alloc);
  }
  const auto now = Clock::now();
  for (auto& inst : instances_) {
    if (inst.state == State::kBackoff && now >= inst.next_start) {
      launch(inst);
      continue;
    }
    if (inst.state != State::kPending) continue;
    auto quota = quotas_.of(inst.user);
    PlacementRequest req{inst.id, inst.user, inst.model, inst.tier,
                         quota.ok() ? quota->limit : Resources{}};
    Placement p = place(inventory_, current, req);
    if (!p.placed) {
      // Rolling over on a full pool (or a full quota): make room by draining one old instance of
      // the same Model API at a time, while another instance goes on serving (or when nothing
      // else could: a single instance on a full pool has to stop before its successor starts).
      int ready = 0;
      bool stopping = false, successor_starting = false;
      Instance* victim = nullptr;
      for (auto& other : instances_) {
        if (other.model != inst.model) continue;
        const bool old = !same_deployment(other, inst);
        if (other.state == State::kStopping) stopping = true;
        if (other.state == State::kReady) {
          ++ready;
          if (old && victim == nullptr) victim = &other;
        }
        if (other.state == State::kStarting && !old) successor_starting = true;
      }
      if (victim != nullptr && !stopping && (ready >= 2 || !successor_starting)) {
        begin_stop(*victim);
      }
      inst.reason = p.reason;
      continue;
    }
    inst.placed = true;
    inst.alloc = p.allocation;
    resolve_gpus(inst);
    current.push_back(inst.alloc);
    launch(inst);
  }
}

void Orchestrator::launch(Instance& inst) {
  auto version = models_.version(inst.model, inst.version);
  if (!version.ok()) {
    inst.state = State::kFailed;
    inst.reason = version.status().message();
    inst.placed = false;
    return;
  }
  const unsigned machine_cores = std::max(1u, std::thread::hardware_concurrency());
  const int threads = std::clamp(static_cast<int>(std::ceil(inst.tier.cpu_limit)), 1,
                                 static_cast<int>(machine_cores));
  std::vector<int> cpus;
  for (int i = 0; i < threads; ++i) {
    cpus.push_back(static_cast<int>(static_cast<unsigned>(next_slot_ + i) % machine_cores));
  }
  next_slot_ = static_cast<int>(static_cast<unsigned>(next_slot_ + threads) % machine_cores);
  std::string visible;
  if (!inst.simulated) {
    for (const auto& uuid : inst.gpu_uuids) visible += (visible.empty() ? "" : ",") + uuid;
  }
  inst.port = free_port();
  SpawnOptions opts;
  opts.argv = {executable_,   "run",
               "--model",     blobs_.path_of(version->sha256),
               "--name",      inst.model,
               "--host",      "127.0.0.1",
               "--http-port", std::to_string(inst.port),
               "--threads",   std::to_string(threads)};
  const std::vector<std::string> device =
      instance_device_flags(!inst.gpu_uuids.empty(), inst.simulated, inst.precision);
  opts.argv.insert(opts.argv.end(), device.begin(), device.end());
  opts.env = {{"CUDA_VISIBLE_DEVICES", visible}, {"MODELHOST_INSTANCE", inst.id}};
  opts.log_path = inst.log_path;
  opts.cpus = cpus;
  {
    std::ofstream log(inst.log_path, std::ios::app);
    log << "--- " << iso_time(std::chrono::system_clock::now()) << " starting version "
        << inst.version << " on " << inst.alloc.node
        << (inst.alloc.gpus.empty() ? std::string()
                                    : " GPUs " + gpus_json(inst.alloc.gpus) +
                                          (inst.simulated ? " (simulated GPU)" : ""))
        << (device.empty() ? std::string() : " precision " + inst.precision) << " port "
        << inst.port << "\n";
  }
  auto pid = spawn_detached(opts);
  if (!pid.ok()) {
    crashed(inst, "cannot start: " + pid.status().message());
    return;
  }
  inst.pid = *pid;
  inst.pid_start = process_start_ticks(*pid);
  inst.state = State::kStarting;
  inst.reason.clear();
  inst.term_sent = false;
  inst.started = Clock::now();
  inst.started_wall = std::chrono::system_clock::now();
  Status st = db_.exec(
      "INSERT OR REPLACE INTO instances (id, model, version, owner, tier, node, gpus, cpus, "
      "memory_gib, restarts, pid, pid_start, port, precision) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {inst.id, inst.model, inst.version, inst.user, inst.tier.name, inst.alloc.node,
       gpus_json(inst.alloc.gpus), db_real_value(inst.alloc.cpus),
       db_real_value(inst.alloc.memory_gib), inst.restarts, static_cast<int64_t>(inst.pid),
       static_cast<int64_t>(inst.pid_start), static_cast<int64_t>(inst.port), inst.precision});
  if (!st.ok()) {
    LOG_ERROR("cannot record an instance").kv("error", st.message());
  }
  LOG_INFO("instance started")
      .kv("instance", inst.id)
      .kv("model", inst.model)
      .kv("version", inst.version)
      .kv("pid", inst.pid)
      .kv("port", static_cast<int64_t>(inst.port));
}

void Orchestrator::probe_starting() {
  std::vector<std::pair<std::string, uint16_t>> probes;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& inst : instances_) {
      if (inst.state == State::kStarting && inst.pid > 0) probes.emplace_back(inst.id, inst.port);
    }
  }
  for (const auto& [id, port] : probes) {
    auto res = http::send_request("127.0.0.1", port, http::beast_http::verb::get,
                                  "/v2/health/ready", "", {}, std::chrono::milliseconds(500));
    const bool ready = res.ok() && res->status == 200;
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& inst : instances_) {
      if (inst.id != id || inst.state != State::kStarting) continue;
      if (ready) {
        inst.state = State::kReady;
        inst.reason.clear();
        publish_routing();
        LOG_INFO("instance ready").kv("instance", inst.id).kv("model", inst.model);
      } else if (Clock::now() - inst.started > config_.ready_timeout) {
        signal_group(inst.pid, SIGKILL);
        inst.reason =
            "killed: not ready within " + std::to_string(config_.ready_timeout.count()) + " s";
      }
    }
  }
}

bool Orchestrator::same_deployment(const Instance& a, const Instance& b) {
  return a.version == b.version && a.tier.name == b.tier.name && a.precision == b.precision;
}

void Orchestrator::begin_stop(Instance& inst) {
  if (inst.state == State::kStopping) return;
  LOG_INFO("stopping instance").kv("instance", inst.id).kv("model", inst.model);
  inst.state = State::kStopping;
  inst.reason = "draining";
  inst.stop_since = Clock::now();
  inst.term_sent = false;
}

void Orchestrator::advance_stopping() {
  const auto now = Clock::now();
  for (auto& inst : instances_) {
    if (inst.state != State::kStopping || inst.pid <= 0) continue;
    // The gateway sends it nothing new; once its requests are answered (or the drain timeout
    // passes) the process is asked to exit, and killed if it does not.
    // (The routing without it was published when it began to stop; a tick's grace lets every
    // request that picked it before that count itself in `outstanding`.)
    const bool idle = inst.outstanding->load() == 0 && now - inst.stop_since > config_.tick;
    if (!inst.term_sent && (idle || now - inst.stop_since > config_.drain_timeout)) {
      signal_group(inst.pid, SIGTERM);
      inst.term_sent = true;
      inst.stop_since = now;
    } else if (inst.term_sent && now - inst.stop_since > config_.drain_timeout) {
      signal_group(inst.pid, SIGKILL);
    }
  }
  std::erase_if(instances_,
                [](const Instance& i) { return i.state == State::kStopping && i.pid <= 0; });
}

// ---- views --------------------------------------------------------------------------------------

const char* Orchestrator::state_name(State s) {
  switch (s) {
    case State::kPending:
      return "pending";
    case State::kStarting:
      return "starting";
    case State::kReady:
      return "ready";
    case State::kBackoff:
      return "backoff";
    case State::kFailed:
      return "failed";
    case State::kStopping:
      return "stopping";
  }
  return "unknown";
}

InstanceStatus Orchestrator::status_of(const Instance& inst) const {
  InstanceStatus s;
  s.id = inst.id;
  s.model = inst.model;
  s.version = inst.version;
  s.tier = inst.tier.name;
  s.precision = inst.precision;
  s.state = state_name(inst.state);
  s.reason = inst.reason;
  if (inst.placed) {
    s.node = inst.alloc.node;
    s.gpus = inst.alloc.gpus;
    s.gpu_uuids = inst.gpu_uuids;
    s.simulated_gpu = inst.simulated;
    if (inst.simulated && s.reason.empty()) {
      s.reason = "simulated GPU";
      // It was given no --precision (instance_device_flags): say so rather than let it pass.
      if (inst.precision != "fp32") s.reason += ": runs on the CPU in fp32, not " + inst.precision;
    }
  }
  s.restarts = inst.restarts;
  s.pid = inst.pid;
  s.port = inst.port;
  if (inst.pid > 0) {
    s.started_at = iso_time(inst.started_wall);
    s.uptime_s = std::chrono::duration<double>(Clock::now() - inst.started).count();
    s.memory_bytes = inst.rss;
  }
  return s;
}

std::vector<InstanceStatus> Orchestrator::instances(std::optional<std::string> model) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<InstanceStatus> out;
  for (const auto& inst : instances_) {
    if (!model || inst.model == *model) out.push_back(status_of(inst));
  }
  return out;
}

void Orchestrator::publish_routing() {
  auto table = std::make_shared<std::map<std::string, std::vector<Endpoint>, std::less<>>>();
  for (const auto& inst : instances_) {
    if (inst.state == State::kReady) {
      (*table)[inst.model].push_back(Endpoint{inst.id, inst.port, inst.outstanding});
    }
  }
  std::lock_guard<std::mutex> lock(routing_mu_);
  routing_ = std::move(table);
}

std::vector<Endpoint> Orchestrator::ready_endpoints(std::string_view model) const {
  std::shared_ptr<const RoutingTable> table;
  {
    std::lock_guard<std::mutex> lock(routing_mu_);
    table = routing_;
  }
  if (!table) return {};
  auto it = table->find(model);
  return it == table->end() ? std::vector<Endpoint>{} : it->second;
}

std::vector<Allocation> Orchestrator::allocations() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Allocation> out;
  for (const auto& inst : instances_) {
    if (inst.placed) out.push_back(inst.alloc);
  }
  return out;
}

Result<std::string> Orchestrator::logs(std::string_view model, std::string_view instance,
                                       size_t lines) const {
  // Log files are named by instance ids this controller made; the id is checked, never used raw.
  if (!is_valid_name(instance)) return not_found("no instance \"" + std::string(instance) + "\"");
  const std::string path =
      (fs::path(config_.data_dir) / "logs" / (std::string(instance) + ".log")).string();
  {
    std::lock_guard<std::mutex> lock(mu_);
    bool known = false;
    for (const auto& inst : instances_) {
      if (inst.id == instance) {
        if (inst.model != model) break;
        known = true;
      }
    }
    if (!known) {
      return not_found("Model API \"" + std::string(model) + "\" has no instance \"" +
                       std::string(instance.substr(0, 80)) + "\"");
    }
  }
  return log_tail(path, lines);
}

std::string Orchestrator::log_tail(const std::string& path, size_t lines) const {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) return "";
  const std::streamoff size = f.tellg();
  const std::streamoff start = std::max<std::streamoff>(0, size - (1 << 20));
  f.seekg(start);
  std::string text(static_cast<size_t>(size - start), '\0');
  f.read(text.data(), static_cast<std::streamsize>(text.size()));
  size_t pos = text.size();
  if (pos > 0 && text[pos - 1] == '\n') --pos;
  size_t count = 0;
  while (pos > 0) {
    if (text[pos - 1] == '\n' && ++count == lines) break;
    --pos;
  }
  return text.substr(pos);
}

}  // namespace modelhost::control
