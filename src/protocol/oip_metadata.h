// Open Inference Protocol metadata bodies: server metadata, model metadata, the Triton model
// config as JSON, and model statistics. Encoding only; they read nothing from clients.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "serving/types.h"

namespace modelhost::protocol {

// {"name":"modelhost","version":"<version>","extensions":["binary_tensor_data",...]}
std::string encode_server_metadata(std::string_view version,
                                   std::span<const std::string_view> extensions);

// {"name","versions":["<version>"],"platform","inputs":[{"name","datatype","shape"}],"outputs":[..]}
// Shapes are the signature's, variable dims -1; when max_batch_size >= 1 the leading (batch) dim
// is written as -1, which perf_analyzer drops as the batch dim.
std::string encode_model_metadata(const serving::ModelInfo& info);

// Triton's ModelConfig as JSON (proto field names, enum names, dims as numbers). When
// max_batch_size >= 1, `dims` leave out the batch dim and a dynamic_batching section is present.
std::string encode_model_config(const serving::ModelInfo& info);

// {"model_stats":[...]} in Triton's statistics-extension schema, one entry per pair.
std::string encode_model_stats(
    std::span<const std::pair<const serving::ModelInfo*, serving::ModelStatistics>> models);

}  // namespace modelhost::protocol
