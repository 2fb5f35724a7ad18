// Backend: executes whole batches for one model version. The batcher owns queues and deadlines;
// a backend only computes. execute() may be called from several threads at once.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/exec/session.h"

namespace modelhost::serving {

class Backend {
 public:
  virtual ~Backend() = default;
  // Inputs in signature order, outputs in signature order.
  virtual Result<std::vector<engine::Tensor>> execute(std::span<const engine::Tensor> inputs) = 0;
  virtual const engine::ModelSignature& signature() const = 0;
};

// The native ONNX engine.
class OnnxBackend final : public Backend {
 public:
  // `device`: run on it (engine/exec/device.h), or on the CPU when null.
  static Result<std::unique_ptr<OnnxBackend>> create(
      const std::string& model_path, int intra_op_threads,
      std::shared_ptr<const engine::exec::DeviceProvider> device = nullptr);
  Result<std::vector<engine::Tensor>> execute(std::span<const engine::Tensor> inputs) override {
    return session_->run(inputs);
  }
  const engine::ModelSignature& signature() const override { return session_->signature(); }

 private:
  explicit OnnxBackend(std::unique_ptr<engine::Session> s) : session_(std::move(s)) {}
  std::unique_ptr<engine::Session> session_;
};

}  // namespace modelhost::serving
