#include "protocol/oip_json.h"

#include <boost/json/monotonic_resource.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>

#include "protocol/datatype.h"
#include "protocol/decode_util.h"
#include "protocol/json_parse.h"
#include "protocol/json_write.h"
#include "protocol/tensor_json.h"

namespace modelhost::protocol {
namespace {

namespace json = boost::json;
using engine::DataType;
using engine::Shape;
using engine::Tensor;
using engine::TensorInfo;

// A JSON integer >= 0 that fits in int64, or nullopt.
std::optional<int64_t> non_negative_int(const json::value& v) {
  if (v.is_int64()) {
    if (v.get_int64() < 0) return std::nullopt;
    return v.get_int64();
  }
  if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(v.get_uint64());
  }
  return std::nullopt;
}

// A tensor over `bytes` of the body: viewed in place when aligned for the type, else copied.
Result<Tensor> binary_tensor(DataType dt, Shape shape, const char* p, size_t bytes,
                             const std::shared_ptr<const void>& owner, std::string_view label) {
  if (dt == DataType::kBool) {
    for (size_t i = 0; i < bytes; ++i) {
      auto b = static_cast<unsigned char>(p[i]);
      if (b > 1) {
        return invalid(label, "BOOL binary data byte " + std::to_string(i) + " is " +
                                  std::to_string(b) + ", expected 0 or 1");
      }
    }
  }
  if (reinterpret_cast<uintptr_t>(p) % engine::dtype_size(dt) == 0) {
    return Tensor::view(dt, std::move(shape), p, owner);
  }
  Tensor t = Tensor::allocate(dt, std::move(shape));
  if (bytes) std::memcpy(t.mutable_raw_data(), p, bytes);
  return t;
}

struct PendingBinary {
  int index;
  Shape shape;
  uint64_t bytes;
};

Status parse_shape(const json::value* v, std::string_view label, Shape& shape) {
  if (v == nullptr || !v->is_array())
    return invalid(label, "\"shape\" must be an array of integers");
  const json::array& a = v->get_array();
  shape.clear();
  shape.reserve(a.size());
  for (const json::value& d : a) {
    if (d.is_int64()) {
      shape.push_back(d.get_int64());
    } else if (d.is_uint64()) {
      return invalid(label, "shape dimension " + json_snippet(d) + " is too large");
    } else {
      return invalid(label, "\"shape\" must be an array of integers, got " + json_snippet(*v));
    }
  }
  for (int64_t d : shape) {
    if (d < 0)
      return invalid(label,
                     "shape " + engine::shape_to_string(shape) + " has a negative dimension");
  }
  return Status();
}

// The requested outputs; all of them (in signature order) when the request lists none.
Status decode_outputs(const json::object& root, const serving::ModelInfo& info, bool binary_default,
                      std::vector<RequestedOutput>& result) {
  const auto& sig_outputs = info.signature.outputs;
  const json::value* outs = find_key(root, "outputs");
  if (outs != nullptr && !outs->is_array()) {
    return invalid_argument("\"outputs\" must be an array of {\"name\": ...} objects");
  }
  if (outs != nullptr) {
    const json::array& arr = outs->get_array();
    for (size_t i = 0; i < arr.size(); ++i) {
      if (!arr[i].is_object()) {
        return invalid_argument("outputs[" + std::to_string(i) + "] must be an object");
      }
      const json::object& o = arr[i].get_object();
      const json::value* name = find_key(o, "name");
      if (name == nullptr || !name->is_string()) {
        return invalid_argument("outputs[" + std::to_string(i) + "] has no \"name\" string");
      }
      std::string_view n = as_view(name->get_string());
      std::string label = tensor_label("output", n);
      int index = find_tensor(sig_outputs, n);
      if (index < 0) {
        return invalid_argument("unknown output \"" + std::string(n) +
                                "\"; the model's outputs are: " + join_names(sig_outputs));
      }
      for (const RequestedOutput& r : result) {
        if (r.index == index) return invalid(label, "is requested more than once");
      }
      bool binary = binary_default;
      if (const json::value* p = find_key(o, "parameters")) {
        if (!p->is_object()) return invalid(label, "\"parameters\" must be an object");
        const json::object& po = p->get_object();
        if (const json::value* b = find_key(po, "binary_data")) {
          if (!b->is_bool()) return invalid(label, "parameters.binary_data must be true or false");
          binary = b->get_bool();
        }
        if (const json::value* c = find_key(po, "classification")) {
          if (!(c->is_int64() && c->get_int64() == 0)) {
            return invalid(label, "classification is not supported");
          }
        }
        if (find_key(po, "shared_memory_region") != nullptr) {
          return invalid(label, "shared memory is not supported");
        }
      }
      result.push_back({index, binary});
    }
  }
  if (result.empty()) {
    for (size_t i = 0; i < sig_outputs.size(); ++i) {
      result.push_back({static_cast<int>(i), binary_default});
    }
  }
  // The protocol has no JSON form for half-precision types: those always travel binary.
  for (RequestedOutput& r : result) {
    DataType dt = sig_outputs[static_cast<size_t>(r.index)].dtype;
    if (dt == DataType::kFloat16 || dt == DataType::kBFloat16) r.binary = true;
  }
  return Status();
}

// Inference-Header-Content-Length: 0 — the body is the one input's bytes, batch 1, all outputs
// binary (Triton's raw binary request).
Result<OipInferRequest> decode_raw_binary(std::string_view body, const serving::ModelInfo& info,
                                          const std::shared_ptr<const void>& owner) {
  const auto& sig = info.signature;
  if (sig.inputs.size() != 1) {
    return invalid_argument(
        "a raw binary request (Inference-Header-Content-Length: 0) is not supported for a model "
        "with " +
        std::to_string(sig.inputs.size()) + " inputs; it needs exactly one");
  }
  const TensorInfo& in = sig.inputs[0];
  std::string label = tensor_label("input", in.name);
  Shape shape = in.shape;
  if (info.config.max_batch_size >= 1 && !shape.empty()) shape[0] = 1;
  int variable = -1;
  int64_t fixed = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] >= 0) {
      fixed *= shape[i];  // model dims: small and validated at load time
      continue;
    }
    if (variable >= 0) {
      return invalid(label,
                     "a raw binary request (Inference-Header-Content-Length: 0) is not "
                     "supported for shape " +
                         engine::shape_to_string(in.shape) +
                         ", which has more than one variable dimension");
    }
    variable = static_cast<int>(i);
  }
  size_t elem = engine::dtype_size(in.dtype);
  uint64_t unit = static_cast<uint64_t>(fixed) * elem;
  if (variable >= 0) {
    if (unit == 0 ? !body.empty() : body.size() % unit != 0) {
      return invalid(label, "raw binary body of " + std::to_string(body.size()) +
                                " bytes is not a whole number of " + std::to_string(unit) +
                                "-byte rows for shape " + engine::shape_to_string(in.shape));
    }
    shape[static_cast<size_t>(variable)] = unit == 0 ? 0 : static_cast<int64_t>(body.size() / unit);
  } else if (body.size() != unit) {
    return invalid(label, "raw binary body has " + std::to_string(body.size()) +
                              " bytes but shape " + engine::shape_to_string(shape) + " needs " +
                              std::to_string(unit));
  }
  OipInferRequest req;
  ASSIGN_OR_RETURN(
      Tensor t, binary_tensor(in.dtype, std::move(shape), body.data(), body.size(), owner, label));
  req.inputs.push_back(std::move(t));
  for (size_t i = 0; i < sig.outputs.size(); ++i)
    req.outputs.push_back({static_cast<int>(i), true});
  return req;
}

Result<OipInferRequest> decode_json_request(std::string_view body, size_t json_size,
                                            const serving::ModelInfo& info,
                                            const std::shared_ptr<const void>& owner,
                                            const DecodeLimits& limits) {
  const auto& sig = info.signature;
  const int max_batch = info.config.max_batch_size;
  // A typical request's DOM fits in this buffer, so parsing does not touch the heap.
  alignas(16) unsigned char arena[8192];
  json::monotonic_resource resource(arena, sizeof arena);
  ASSIGN_OR_RETURN(json::value doc, parse_json(body.substr(0, json_size), limits.max_json_depth,
                                               json::storage_ptr(&resource)));
  if (!doc.is_object()) return invalid_argument("request body must be a JSON object");
  const json::object& root = doc.get_object();

  OipInferRequest req;
  if (const json::value* id = find_key(root, "id")) {
    if (!id->is_string()) return invalid_argument("\"id\" must be a string");
    req.id = std::string(as_view(id->get_string()));
  }
  bool binary_default = false;
  if (const json::value* p = find_key(root, "parameters")) {
    if (!p->is_object()) return invalid_argument("\"parameters\" must be an object");
    const json::object& po = p->get_object();
    if (const json::value* b = find_key(po, "binary_data_output")) {
      if (!b->is_bool()) {
        return invalid_argument("parameters.binary_data_output must be true or false");
      }
      binary_default = b->get_bool();
    }
    if (const json::value* t = find_key(po, "timeout")) {
      std::optional<int64_t> us = non_negative_int(*t);
      if (!us) {
        return invalid_argument(
            "parameters.timeout must be a non-negative integer "
            "(microseconds), got " +
            json_snippet(*t));
      }
      req.timeout_us = us;
    }
  }

  const json::value* inputs = find_key(root, "inputs");
  if (inputs == nullptr) return invalid_argument("request has no \"inputs\" array");
  if (!inputs->is_array()) return invalid_argument("\"inputs\" must be an array");
  const json::array& in_arr = inputs->get_array();
  if (in_arr.empty()) {
    return invalid_argument("\"inputs\" is empty; the model's inputs are: " +
                            join_names(sig.inputs));
  }
  req.inputs.resize(sig.inputs.size());
  std::vector<char> seen(sig.inputs.size(), 0);
  std::vector<PendingBinary> binary;
  int batch_source = -1;
  for (size_t i = 0; i < in_arr.size(); ++i) {
    if (!in_arr[i].is_object()) {
      return invalid_argument("inputs[" + std::to_string(i) + "] must be an object");
    }
    const json::object& in = in_arr[i].get_object();
    const json::value* name_v = find_key(in, "name");
    if (name_v == nullptr || !name_v->is_string()) {
      return invalid_argument("inputs[" + std::to_string(i) + "] has no \"name\" string");
    }
    std::string_view name = as_view(name_v->get_string());
    int index = find_tensor(sig.inputs, name);
    if (index < 0) {
      return invalid_argument("unknown input \"" + std::string(name) +
                              "\"; the model's inputs are: " + join_names(sig.inputs));
    }
    const TensorInfo& ti = sig.inputs[static_cast<size_t>(index)];
    std::string label = tensor_label("input", name);
    if (seen[static_cast<size_t>(index)]) return invalid(label, "appears more than once");
    seen[static_cast<size_t>(index)] = 1;

    const json::value* dt_v = find_key(in, "datatype");
    if (dt_v == nullptr || !dt_v->is_string())
      return invalid(label, "\"datatype\" must be a string");
    std::string_view dt_name = as_view(dt_v->get_string());
    if (is_bytes_datatype(dt_name)) return invalid(label, "datatype BYTES is not supported");
    std::optional<DataType> dt = dtype_from_oip(dt_name);
    if (!dt) return invalid(label, "unknown datatype \"" + std::string(dt_name) + "\"");
    if (*dt != ti.dtype) {
      return invalid(label, "expected datatype " + std::string(oip_name(ti.dtype)) + ", got " +
                                std::string(dt_name));
    }

    Shape shape;
    RETURN_IF_ERROR(parse_shape(find_key(in, "shape"), label, shape));
    if (!fixed_dims_match(ti.shape, shape)) {
      return invalid(label, "expected shape " + engine::shape_to_string(ti.shape) + ", got " +
                                engine::shape_to_string(shape));
    }
    size_t elem = engine::dtype_size(ti.dtype);
    Result<int64_t> count = engine::checked_num_elements(shape, elem);
    if (!count.ok()) return count.status().with_context(label);
    if (max_batch >= 1) {
      int64_t rows = shape.empty() ? 0 : shape[0];
      if (rows < 1)
        return invalid(label, "batch size " + std::to_string(rows) + " must be at least 1");
      if (rows > max_batch) {
        return invalid(label, "batch size " + std::to_string(rows) +
                                  " exceeds the model's max batch size " +
                                  std::to_string(max_batch));
      }
      if (batch_source >= 0 && rows != req.batch_rows) {
        return invalid(label, "batch size " + std::to_string(rows) + " differs from input \"" +
                                  sig.inputs[static_cast<size_t>(batch_source)].name +
                                  "\" batch size " + std::to_string(req.batch_rows));
      }
      batch_source = index;
      req.batch_rows = rows;
    }

    const json::value* binary_size = nullptr;
    if (const json::value* p = find_key(in, "parameters")) {
      if (!p->is_object()) return invalid(label, "\"parameters\" must be an object");
      const json::object& po = p->get_object();
      if (find_key(po, "shared_memory_region") != nullptr) {
        return invalid(label, "shared memory is not supported");
      }
      binary_size = find_key(po, "binary_data_size");
    }
    const json::value* data = find_key(in, "data");
    if ((data == nullptr) == (binary_size == nullptr)) {
      return invalid(label, "set exactly one of \"data\" and \"parameters.binary_data_size\"");
    }
    if (data != nullptr) {
      if (ti.dtype == DataType::kFloat16 || ti.dtype == DataType::kBFloat16) {
        return invalid(label, std::string(oip_name(ti.dtype)) +
                                  " is not supported in JSON; send it with binary_data_size "
                                  "(binary tensor extension)");
      }
      if (!data->is_array()) return invalid(label, "\"data\" must be an array");
      int64_t got = json_count_scalars(*data);
      if (got != *count) {
        return invalid(label, "data has " + std::to_string(got) + " elements but shape " +
                                  engine::shape_to_string(shape) + " needs " +
                                  std::to_string(*count));
      }
      Tensor t = Tensor::allocate(ti.dtype, std::move(shape));
      RETURN_IF_ERROR(json_fill_tensor(*data, t, label));
      req.inputs[static_cast<size_t>(index)] = std::move(t);
    } else {
      std::optional<int64_t> bytes = non_negative_int(*binary_size);
      if (!bytes) {
        return invalid(label, "parameters.binary_data_size must be a non-negative integer, got " +
                                  json_snippet(*binary_size));
      }
      uint64_t needed = static_cast<uint64_t>(*count) * elem;
      if (static_cast<uint64_t>(*bytes) != needed) {
        return invalid(label, "binary_data_size is " + std::to_string(*bytes) + " bytes but " +
                                  std::string(oip_name(ti.dtype)) + " " +
                                  engine::shape_to_string(shape) + " needs " +
                                  std::to_string(needed));
      }
      binary.push_back({index, std::move(shape), static_cast<uint64_t>(*bytes)});
    }
  }
  for (size_t i = 0; i < sig.inputs.size(); ++i) {
    if (!seen[i]) {
      return invalid_argument("missing input \"" + sig.inputs[i].name +
                              "\"; the model's inputs are: " + join_names(sig.inputs));
    }
  }

  size_t offset = json_size;
  for (PendingBinary& pb : binary) {
    const TensorInfo& ti = sig.inputs[static_cast<size_t>(pb.index)];
    if (pb.bytes > body.size() - offset) {
      return invalid_argument("binary data for input \"" + ti.name + "\" (" +
                              std::to_string(pb.bytes) + " bytes) extends beyond the request body");
    }
    ASSIGN_OR_RETURN(Tensor t, binary_tensor(ti.dtype, std::move(pb.shape), body.data() + offset,
                                             pb.bytes, owner, tensor_label("input", ti.name)));
    req.inputs[static_cast<size_t>(pb.index)] = std::move(t);
    offset += pb.bytes;
  }
  if (offset != body.size()) {
    return invalid_argument("request body has " + std::to_string(body.size() - offset) +
                            " bytes after the JSON" + (binary.empty() ? "" : " and binary data") +
                            " that no input claims (check Inference-Header-Content-Length and "
                            "binary_data_size)");
  }

  RETURN_IF_ERROR(decode_outputs(root, info, binary_default, req.outputs));
  return req;
}

}  // namespace

Result<OipInferRequest> decode_infer_request(std::string_view body,
                                             std::optional<uint64_t> header_length,
                                             const serving::ModelInfo& info,
                                             std::shared_ptr<const void> owner,
                                             const DecodeLimits& limits) {
  try {
    if (header_length && *header_length > body.size()) {
      return invalid_argument("Inference-Header-Content-Length " + std::to_string(*header_length) +
                              " exceeds the request body size (" + std::to_string(body.size()) +
                              " bytes)");
    }
    if (header_length && *header_length == 0) return decode_raw_binary(body, info, owner);
    size_t json_size = header_length ? static_cast<size_t>(*header_length) : body.size();
    return decode_json_request(body, json_size, info, owner, limits);
  } catch (const std::bad_alloc&) {
    return resource_exhausted("out of memory while decoding the request");
  } catch (const std::exception& e) {
    return internal_error(std::string("decoding the request failed: ") + e.what());
  }
}

EncodedBody encode_infer_response(const serving::ModelInfo& info, const OipInferRequest& req,
                                  std::span<const engine::Tensor> outputs) {
  const auto& sig = info.signature;
  EncodedBody result;
  std::string& out = result.body;
  size_t estimate = 128 + info.config.name.size();
  size_t binary_bytes = 0;
  bool any_binary = false;
  for (const RequestedOutput& r : req.outputs) {
    const Tensor& t = outputs[static_cast<size_t>(r.index)];
    estimate += 96 + sig.outputs[static_cast<size_t>(r.index)].name.size();
    if (r.binary) {
      binary_bytes += t.byte_size();
      any_binary = true;
    } else {
      estimate += static_cast<size_t>(t.num_elements()) * 14;
    }
  }
  out.reserve(estimate + binary_bytes);

  out += '{';
  if (req.id) {
    out += "\"id\":";
    json_append_string(out, *req.id);
    out += ',';
  }
  out += "\"model_name\":";
  json_append_string(out, info.config.name);
  out += ",\"model_version\":";
  json_append_string(out, info.config.version);
  out += ",\"outputs\":[";
  for (size_t k = 0; k < req.outputs.size(); ++k) {
    const RequestedOutput& r = req.outputs[k];
    const Tensor& t = outputs[static_cast<size_t>(r.index)];
    if (k) out += ',';
    out += "{\"name\":";
    json_append_string(out, sig.outputs[static_cast<size_t>(r.index)].name);
    out += ",\"datatype\":\"";
    out += oip_name(t.dtype());
    out += "\",\"shape\":[";
    for (size_t d = 0; d < t.shape().size(); ++d) {
      if (d) out += ',';
      json_append_int(out, t.shape()[d]);
    }
    out += ']';
    if (r.binary) {
      out += ",\"parameters\":{\"binary_data_size\":";
      json_append_uint(out, t.byte_size());
      out += '}';
    } else {
      out += ",\"data\":";
      json_append_flat(out, t);
    }
    out += '}';
  }
  out += "]}";

  if (any_binary) {
    result.header_length = out.size();
    for (const RequestedOutput& r : req.outputs) {
      if (!r.binary) continue;
      const Tensor& t = outputs[static_cast<size_t>(r.index)];
      out.append(static_cast<const char*>(t.raw_data()), t.byte_size());
    }
    result.content_type = "application/octet-stream";
  } else {
    result.content_type = "application/json";
  }
  return result;
}

Result<uint64_t> parse_header_length(std::string_view value, size_t body_size) {
  std::string shown(value.substr(0, 32));
  if (value.size() > 32) shown += "...";
  auto bad = [&](std::string_view why) {
    return invalid_argument("invalid Inference-Header-Content-Length \"" + shown +
                            "\": " + std::string(why));
  };
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return bad("expected a decimal byte count");
  uint64_t v = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return bad("expected a decimal byte count");
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
      return bad("too large");
    }
  }
  if (v > body_size) {
    return bad("exceeds the request body size (" + std::to_string(body_size) + " bytes)");
  }
  return v;
}

}  // namespace modelhost::protocol
