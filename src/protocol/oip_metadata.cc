#include "protocol/oip_metadata.h"

#include <iterator>
#include <utility>

#include "protocol/datatype.h"
#include "protocol/json_write.h"

namespace modelhost::protocol {
namespace {

using engine::TensorInfo;

void append_key(std::string& out, std::string_view key) {
  json_append_string(out, key);
  out += ':';
}

void append_dims(std::string& out, std::span<const int64_t> dims) {
  out += '[';
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) out += ',';
    json_append_int(out, dims[i] < 0 ? -1 : dims[i]);
  }
  out += ']';
}

void append_tensor_metadata(std::string& out, const std::vector<TensorInfo>& infos, bool batched) {
  out += '[';
  for (size_t i = 0; i < infos.size(); ++i) {
    const TensorInfo& t = infos[i];
    if (i) out += ',';
    out += "{\"name\":";
    json_append_string(out, t.name);
    out += ",\"datatype\":";
    json_append_string(out, oip_name(t.dtype));
    out += ",\"shape\":";
    engine::Shape shape = t.shape;
    if (batched && !shape.empty()) shape[0] = -1;
    append_dims(out, shape);
    out += '}';
  }
  out += ']';
}

void append_config_tensors(std::string& out, const std::vector<TensorInfo>& infos, bool batched,
                           bool is_input) {
  out += '[';
  for (size_t i = 0; i < infos.size(); ++i) {
    const TensorInfo& t = infos[i];
    if (i) out += ',';
    out += "{\"name\":";
    json_append_string(out, t.name);
    out += ",\"data_type\":";
    json_append_string(out, config_type_name(t.dtype));
    if (is_input) out += ",\"format\":\"FORMAT_NONE\"";
    out += ",\"dims\":";
    std::span<const int64_t> dims = t.shape;
    if (batched && !dims.empty()) dims = dims.subspan(1);
    append_dims(out, dims);
    out += ",\"is_shape_tensor\":false";
    if (is_input) {
      out += ",\"allow_ragged_batch\":false,\"optional\":false";
    } else {
      out += ",\"label_filename\":\"\"";
    }
    out += '}';
  }
  out += ']';
}

void append_duration(std::string& out, std::string_view key, const serving::StatDuration& d) {
  append_key(out, key);
  out += "{\"count\":";
  json_append_uint(out, d.count);
  out += ",\"ns\":";
  json_append_uint(out, d.ns);
  out += '}';
}

}  // namespace

std::string encode_server_metadata(std::string_view version,
                                   std::span<const std::string_view> extensions) {
  std::string out = "{\"name\":\"modelhost\",\"version\":";
  json_append_string(out, version);
  out += ",\"extensions\":[";
  for (size_t i = 0; i < extensions.size(); ++i) {
    if (i) out += ',';
    json_append_string(out, extensions[i]);
  }
  out += "]}";
  return out;
}

std::string encode_model_metadata(const serving::ModelInfo& info) {
  const bool batched = info.config.max_batch_size >= 1;
  std::string out = "{\"name\":";
  json_append_string(out, info.config.name);
  out += ",\"versions\":[";
  json_append_string(out, info.config.version);
  out += "],\"platform\":";
  json_append_string(out, info.config.platform);
  out += ",\"inputs\":";
  append_tensor_metadata(out, info.signature.inputs, batched);
  out += ",\"outputs\":";
  append_tensor_metadata(out, info.signature.outputs, batched);
  out += '}';
  return out;
}

std::string encode_model_config(const serving::ModelInfo& info) {
  const serving::ModelConfig& c = info.config;
  const bool batched = c.max_batch_size >= 1;
  std::string out = "{\"name\":";
  json_append_string(out, c.name);
  out += ",\"platform\":";
  json_append_string(out, c.platform);
  // Every model is served by the built-in ONNX engine.
  out += ",\"backend\":\"modelhost\",\"runtime\":\"\"";
  out += ",\"version_policy\":{\"latest\":{\"num_versions\":1}}";
  out += ",\"max_batch_size\":";
  json_append_int(out, batched ? c.max_batch_size : 0);
  out += ",\"input\":";
  append_config_tensors(out, info.signature.inputs, batched, true);
  out += ",\"output\":";
  append_config_tensors(out, info.signature.outputs, batched, false);
  out += ",\"batch_input\":[],\"batch_output\":[]";
  if (batched) {
    out += ",\"dynamic_batching\":{\"preferred_batch_size\":[],\"max_queue_delay_microseconds\":";
    json_append_int(out, c.batch_delay_us);
    out +=
        ",\"preserve_ordering\":false,\"priority_levels\":0,\"default_priority_level\":0"
        ",\"default_queue_policy\":{\"timeout_action\":\"REJECT\""
        ",\"default_timeout_microseconds\":";
    json_append_int(out, c.default_timeout_us);
    out += ",\"allow_timeout_override\":true,\"max_queue_size\":";
    json_append_int(out, c.max_queue_size);
    out += "},\"priority_queue_policy\":{}}";
  }
  out += ",\"instance_group\":[{\"name\":";
  json_append_string(out, c.name + "_0");
  out +=
      ",\"kind\":\"KIND_CPU\",\"count\":1,\"gpus\":[],\"secondary_devices\":[]"
      ",\"profile\":[],\"passive\":false,\"host_policy\":\"\"}]";
  out +=
      ",\"default_model_filename\":\"model.onnx\",\"cc_model_filenames\":{}"
      ",\"metric_tags\":{},\"parameters\":{},\"model_warmup\":[]"
      ",\"model_transaction_policy\":{\"decoupled\":false}"
      ",\"response_cache\":{\"enable\":false}}";
  return out;
}

std::string encode_model_stats(
    std::span<const std::pair<const serving::ModelInfo*, serving::ModelStatistics>> models) {
  std::string out = "{\"model_stats\":[";
  for (size_t i = 0; i < models.size(); ++i) {
    const serving::ModelInfo& info = *models[i].first;
    const serving::ModelStatistics& s = models[i].second;
    if (i) out += ',';
    out += "{\"name\":";
    json_append_string(out, info.config.name);
    out += ",\"version\":";
    json_append_string(out, info.config.version);
    out += ",\"last_inference\":";
    json_append_uint(out, s.last_inference_ms);
    out += ",\"inference_count\":";
    json_append_uint(out, s.inference_count);
    out += ",\"execution_count\":";
    json_append_uint(out, s.execution_count);
    out += ",\"inference_stats\":{";
    const std::pair<const char*, const serving::StatDuration*> durations[] = {
        {"success", &s.success},
        {"fail", &s.fail},
        {"queue", &s.queue},
        {"compute_input", &s.compute_input},
        {"compute_infer", &s.compute_infer},
        {"compute_output", &s.compute_output},
        {"cache_hit", &s.cache_hit},
        {"cache_miss", &s.cache_miss}};
    for (size_t i = 0; i < std::size(durations); ++i) {
      if (i) out += ',';
      append_duration(out, durations[i].first, *durations[i].second);
    }
    out += "},\"batch_stats\":[";
    bool first = true;
    for (const auto& [size, b] : s.batch_stats) {
      if (!first) out += ',';
      first = false;
      out += "{\"batch_size\":";
      json_append_int(out, size);
      out += ',';
      append_duration(out, "compute_input", b.compute_input);
      out += ',';
      append_duration(out, "compute_infer", b.compute_infer);
      out += ',';
      append_duration(out, "compute_output", b.compute_output);
      out += '}';
    }
    out += "],\"memory_usage\":[],\"response_stats\":{}}";
  }
  out += "]}";
  return out;
}

}  // namespace modelhost::protocol
