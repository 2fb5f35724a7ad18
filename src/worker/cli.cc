#include "worker/cli.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include "common/flags.h"
#include "common/logging.h"
#include "common/signals.h"
#include "common/text.h"
#include "protocol/oip_metadata.h"
#include "serving/backend.h"
#include "worker/device_flags.h"
#include "worker/worker.h"

namespace modelhost::worker {

int run_command(const std::vector<std::string_view>& args) {
  std::string model, name, host = "127.0.0.1", log_level = "info", device = "cpu",
                           precision = "fp32";
  int64_t port = 8000, max_batch = -1, delay_us = 0, threads = 1, instances = 1, io_threads = 1,
          queue = 1024, timeout_ms = 30000, header_timeout_ms = 10000, max_body_mb = 64,
          drain_s = 30;
  Flags f("modelhost run",
          "Serves one ONNX model over HTTP: the Open Inference Protocol (v2) and "
          "a Domino-style JSON route.");
  f.add_string("model", "PATH", "ONNX model file to serve", &model, true);
  f.add_string("name", "NAME", "model name in URLs (default: the file name without .onnx)", &name);
  f.add_int("http-port", "N", "HTTP port; 0 picks a free one", &port, 0, 65535);
  f.add_string("host", "ADDR", "address to listen on", &host);
  f.add_int("max-batch-size", "N",
            "rows per execution; 0 disables batching (default: 8 if the model has a variable "
            "leading dim, else 0)",
            &max_batch, -1, 1 << 16);
  f.add_int("batch-delay-us", "D", "how long a batch may wait for more requests", &delay_us, 0,
            10'000'000);
  f.add_int("threads", "T", "intra-op threads per execution", &threads, 1, 256);
  f.add_int("instances", "N", "executions that may run at once", &instances, 1, 64);
  f.add_int("io-threads", "N", "HTTP I/O threads", &io_threads, 1, 64);
  f.add_int("max-queue-size", "N", "queued requests before answering 503", &queue, 1, 1 << 20);
  f.add_int("request-timeout-ms", "MS", "default deadline of a request (0 = none)", &timeout_ms, 0,
            3'600'000);
  f.add_int("header-timeout-ms", "MS", "time allowed to send the request header",
            &header_timeout_ms, 1, 3'600'000);
  f.add_int("max-body-mb", "MB", "largest request body (decoded)", &max_body_mb, 1, 4096);
  f.add_int("drain-timeout-s", "S", "on SIGTERM, how long in-flight requests may take", &drain_s, 0,
            3600);
  f.add_string("log-level", "LEVEL", "debug, info, warn or error", &log_level);
  f.add_string("device", "DEV", "cpu or cuda:N (exit code 3 when that GPU cannot be used)",
               &device);
  f.add_string("precision", "P", "fp32, tf32, fp16 or bf16 (CUDA devices only)", &precision);
  if (auto exit_code = parse_command_line(f, args, &log_level)) return *exit_code;
  DeviceChoice device_choice = choose_device(device, precision);
  if (device_choice.exit_code) return *device_choice.exit_code;

  if (name.empty()) name = std::filesystem::path(model).stem().string();
  if (!is_valid_name(name)) {
    return command_error(invalid_argument(
        "model name \"" + name + "\" is not valid: use 1 to 64 of A-Z a-z 0-9 . _ - (set --name)"));
  }

  WorkerConfig config;
  config.model_path = model;
  config.device = device_choice.provider;
  config.model.name = name;
  config.model.max_batch_size = static_cast<int>(max_batch);
  config.model.batch_delay_us = delay_us;
  config.model.max_queue_size = static_cast<int>(queue);
  config.model.default_timeout_us = timeout_ms * 1000;
  config.model.intra_op_threads = static_cast<int>(threads);
  config.instances = static_cast<int>(instances);
  config.http.host = host;
  config.http.port = static_cast<uint16_t>(port);
  config.http.io_threads = static_cast<int>(io_threads);
  config.http.header_timeout = std::chrono::milliseconds(header_timeout_ms);
  config.http.max_body_bytes = static_cast<uint64_t>(max_body_mb) << 20;

  StopSignals signals;  // before any thread starts

  auto worker = Worker::create(std::move(config));
  if (!worker.ok()) {
    LOG_ERROR("cannot serve the model").kv("model", model).kv("error", worker.status().message());
    std::cerr << "error: " << worker.status().message() << "\n";
    return 1;
  }
  (*worker)->start();

  LOG_INFO("signal received; draining").kv("signal", signals.wait());
  bool drained = (*worker)->drain_and_stop(std::chrono::seconds(drain_s));
  return drained ? 0 : 1;
}

int validate_command(const std::vector<std::string_view>& args) {
  std::string model;
  Flags f("modelhost validate", "Loads a model and prints its signature, or the load error.");
  f.add_string("model", "PATH", "ONNX model file", &model);
  std::vector<std::string_view> rest = args;
  // Also accept the path as the sole positional argument.
  if (rest.size() == 1 && rest[0].substr(0, 2) != "--") {
    model = std::string(rest[0]);
    rest.clear();
  }
  if (Status s = f.parse(rest); !s.ok()) return command_error(s);
  if (f.help_requested() || model.empty()) {
    std::cout << f.usage();
    return model.empty() && !f.help_requested() ? 2 : 0;
  }
  auto backend = serving::OnnxBackend::create(model, 1);
  if (!backend.ok()) {
    std::cerr << "error: " << backend.status().message() << "\n";
    return 1;
  }
  serving::ModelInfo info;
  info.config.name = std::filesystem::path(model).stem().string();
  info.config.max_batch_size = 0;
  info.signature = (*backend)->signature();
  std::cout << protocol::encode_model_metadata(info) << "\n";
  return 0;
}

}  // namespace modelhost::worker
