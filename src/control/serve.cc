// See serve.h. Opens (or creates) the data directory and its database, creates the first admin
// on first start, and serves the REST API until SIGTERM or SIGINT.
#include "control/serve.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "common/flags.h"
#include "common/logging.h"
#include "common/signals.h"
#include "control/api/api.h"
#include "control/auth/users.h"
#include "control/dashboard/dashboard.h"
#include "control/gateway/gateway.h"
#include "control/inventory/inventory.h"
#include "control/models/models.h"
#include "control/orchestrator/orchestrator.h"
#include "control/store/db.h"
#include "control/tiers/tiers.h"
#include "http/router.h"
#include "http/server.h"

namespace modelhost::control {
namespace {

namespace fs = std::filesystem;

// "127.0.0.1:8080" -> host and port.
Result<std::pair<std::string, uint16_t>> parse_listen(std::string_view listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return invalid_argument("--listen must be HOST:PORT, got \"" + std::string(listen) + "\"");
  }
  ASSIGN_OR_RETURN(int64_t port, parse_int(listen.substr(colon + 1), 0, 65535));
  std::string host(listen.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return std::make_pair(host, static_cast<uint16_t>(port));
}

// The data directory, private to this user (it holds the database and, later, model files).
Status prepare_data_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return invalid_argument("cannot create the data directory: " + ec.message());
  if (!fs::is_directory(dir, ec)) return invalid_argument("the data directory is not a directory");
  ::chmod(dir.c_str(), 0700);
  return Status::ok_status();
}

}  // namespace

int serve_command(const std::vector<std::string_view>& args) {
  std::string data_dir = "./modelhost-data", listen = "127.0.0.1:8080", log_level = "info",
              nodes_file;
  // Model traffic is forwarded on the I/O threads; a thread per two cores leaves the rest to the
  // instances (on a 2-core machine a second I/O thread only adds context switches).
  int64_t io_threads = std::clamp<int64_t>(std::thread::hardware_concurrency() / 2, 1, 8),
          max_upload_mib = 4096;
  int64_t restart_backoff_ms = 1000;
  bool keep_instances = false;
  Flags f("modelhost serve",
          "Runs the controller: the REST API under /api/ (users, tokens), health at /healthz and "
          "/readyz. The first start creates an admin and prints its token once, or takes it from "
          "the environment variable MODELHOST_ADMIN_TOKEN.");
  f.add_string("data-dir", "DIR", "where the database lives (created if missing)", &data_dir);
  f.add_string("listen", "HOST:PORT", "address of the REST API; port 0 picks a free one", &listen);
  f.add_string("nodes", "FILE",
               "node pools and GPUs to schedule on, instead of discovering this machine (JSON; "
               "see docs/platform.md)",
               &nodes_file);
  f.add_int(
      "io-threads", "N",
      "HTTP I/O threads, which also forward model traffic (default: one per two cores, 1 to 8)",
      &io_threads, 1, 64);
  f.add_int("max-upload-mib", "MIB", "largest model file accepted", &max_upload_mib, 1, 1 << 20);
  f.add_int("restart-backoff-ms", "MS",
            "wait before restarting a crashed instance; doubles per crash in a row, up to 30 s",
            &restart_backoff_ms, 1, 30000);
  f.add_bool("keep-instances",
             "on SIGTERM/SIGINT leave the model instances running (the next start adopts them) "
             "instead of draining and stopping them",
             &keep_instances);
  f.add_string("log-level", "LEVEL", "debug, info, warn or error", &log_level);
  if (auto exit_code = parse_command_line(f, args, &log_level)) return *exit_code;
  auto addr = parse_listen(listen);
  if (!addr.ok()) return command_error(addr.status());
  if (Status st = prepare_data_dir(data_dir); !st.ok()) return command_error(st);

  StopSignals signals;  // before any thread starts (NVML may start some)
  Inventory inventory;
  if (nodes_file.empty()) {
    inventory = discover_local();
  } else {
    auto declared = load_nodes_file(nodes_file);
    if (!declared.ok()) return command_error(declared.status());
    inventory = std::move(declared).value();
  }
  auto db = Db::open((fs::path(data_dir) / "modelhost.db").string());
  if (!db.ok()) return command_error(db.status());
  Users users(**db);
  std::optional<std::string> preset;
  if (const char* env = std::getenv("MODELHOST_ADMIN_TOKEN"); env != nullptr && *env != '\0') {
    preset = env;
  }
  auto admin = users.bootstrap_admin(preset);
  if (!admin.ok()) return command_error(admin.status());
  if (admin->has_value() && !(*admin)->empty()) {
    // The one time the secret is shown; only its hash is stored.
    std::printf("admin token (shown once, store it now): %s\n", (*admin)->c_str());
    std::fflush(stdout);
  } else if (admin->has_value()) {
    LOG_INFO("admin created with the token from MODELHOST_ADMIN_TOKEN");
  }

  http::Router router;
  Tiers tiers(**db, inventory);
  Quotas quotas(**db);
  Environments environments(**db);
  BlobStore blobs(data_dir);
  if (Status st = blobs.prepare(); !st.ok()) return command_error(st);
  ModelApis models(**db);
  OrchestratorConfig orchestrator_config;
  orchestrator_config.data_dir = data_dir;
  orchestrator_config.first_backoff = std::chrono::milliseconds(restart_backoff_ms);
  Orchestrator orchestrator(**db, models, tiers, quotas, inventory, blobs, orchestrator_config);
  Gateway gateway(models, users, orchestrator);
  gateway.add_routes(router);
  add_dashboard_routes(router);
  // GPU utilization for the API and the dashboard, when this machine's GPUs are the inventory.
  std::unique_ptr<GpuMonitor> gpu_monitor = nodes_file.empty() ? GpuMonitor::open() : nullptr;
  auto api =
      add_api_routes(router, ControlState{**db, users, tiers, quotas, environments, inventory,
                                          models, blobs, orchestrator, gateway, gpu_monitor.get()});
  http::ServerConfig config;
  config.host = addr->first;
  config.port = addr->second;
  config.io_threads = static_cast<int>(io_threads);
  // JSON documents and model requests in memory; model files stream to disk.
  config.max_body_bytes = 64ull << 20;
  config.spool_dir = blobs.staging_dir();
  config.spool_limit = [limit = static_cast<uint64_t>(max_upload_mib)
                                << 20](const http::Request& req) -> uint64_t {
    if (req.method() != http::beast_http::verb::post) return 0;
    const std::string_view path = http::target_path(req.target());
    if (path == "/api/models") return limit;
    if (path.starts_with("/api/models/") && path.ends_with("/versions") &&
        path.find('/', 12) == path.size() - 9) {
      return limit;
    }
    return 0;
  };
  orchestrator.start();
  auto server = http::Server::create(config, router.as_handler());
  if (!server.ok()) return command_error(server.status());
  (*server)->start();
  LOG_INFO("controller listening")
      .kv("address", addr->first + ":" + std::to_string((*server)->port()))
      .kv("data_dir", data_dir)
      .kv("schema_version", (*db)->schema_version())
      .kv("inventory", inventory.source)
      .kv("nodes", static_cast<int64_t>(inventory.nodes.size()));
  std::printf("modelhost serve: API on http://%s:%u/api/ (data in %s)\n", addr->first.c_str(),
              static_cast<unsigned>((*server)->port()), data_dir.c_str());
  std::printf("modelhost serve: dashboard on http://%s:%u/\n", addr->first.c_str(),
              static_cast<unsigned>((*server)->port()));
  std::fflush(stdout);

  LOG_INFO("signal received; stopping").kv("signal", signals.wait());
  (*server)->stop();
  gateway.close();
  orchestrator.stop(!keep_instances);
  return 0;
}

}  // namespace modelhost::control
