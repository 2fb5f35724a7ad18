#include "serving/backend.h"

namespace modelhost::serving {

Result<std::unique_ptr<OnnxBackend>> OnnxBackend::create(
    const std::string& model_path, int intra_op_threads,
    std::shared_ptr<const engine::exec::DeviceProvider> device) {
  engine::SessionOptions options;
  options.intra_op_threads = intra_op_threads;
  options.device = std::move(device);
  ASSIGN_OR_RETURN(auto session, engine::Session::create(model_path, options));
  return std::unique_ptr<OnnxBackend>(new OnnxBackend(std::move(session)));
}

}  // namespace modelhost::serving
