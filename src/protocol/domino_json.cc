#include "protocol/domino_json.h"

#include <boost/json/monotonic_resource.hpp>
#include <new>

#include "protocol/decode_util.h"
#include "protocol/json_parse.h"
#include "protocol/json_write.h"
#include "protocol/tensor_json.h"

namespace modelhost::protocol {
namespace {

namespace json = boost::json;
using engine::Shape;
using engine::Tensor;
using engine::TensorInfo;

constexpr std::string_view kHarnessVersion = "modelhost-0.1";

Status check_rectangular(const json::value& v, const Shape& shape, size_t dim,
                         std::string_view label) {
  if (dim == shape.size()) {
    if (v.is_array()) {
      return invalid(
          label, "ragged nested array: depth " + std::to_string(dim) + " mixes numbers and arrays");
    }
    return Status();
  }
  if (!v.is_array()) {
    return invalid(
        label, "ragged nested array: depth " + std::to_string(dim) + " mixes numbers and arrays");
  }
  const json::array& a = v.get_array();
  if (static_cast<int64_t>(a.size()) != shape[dim]) {
    return invalid(label, "ragged nested array: a row at depth " + std::to_string(dim + 1) +
                              " has " + std::to_string(a.size()) + " elements, the first has " +
                              std::to_string(shape[dim]) + " (all rows must have the same length)");
  }
  for (const json::value& e : a) RETURN_IF_ERROR(check_rectangular(e, shape, dim + 1, label));
  return Status();
}

// The shape of a nested array (the first element's path), checked to be rectangular before
// anything is allocated for it. A scalar has shape [].
Status nested_shape(const json::value& v, std::string_view label, Shape& shape) {
  shape.clear();
  const json::value* cur = &v;
  while (cur->is_array()) {
    const json::array& a = cur->get_array();
    shape.push_back(static_cast<int64_t>(a.size()));
    if (a.empty()) break;
    cur = &a[0];
  }
  return check_rectangular(v, shape, 0, label);
}

struct InputValue {
  int index;
  const json::value* value;
};

Result<DominoRequest> decode_values(const std::vector<InputValue>& values,
                                    const serving::ModelInfo& info) {
  const auto& sig = info.signature;
  const int max_batch = info.config.max_batch_size;
  DominoRequest req;
  req.inputs.resize(sig.inputs.size());
  int form_source = -1;
  for (const InputValue& iv : values) {
    const TensorInfo& ti = sig.inputs[static_cast<size_t>(iv.index)];
    std::string label = tensor_label("input", ti.name);
    Shape shape;
    RETURN_IF_ERROR(nested_shape(*iv.value, label, shape));
    const size_t rank = ti.shape.size();
    bool unbatched = false;
    if (shape.size() + 1 == rank && (ti.shape[0] == -1 || ti.shape[0] == 1)) {
      unbatched = true;
      shape.insert(shape.begin(), 1);
    } else if (shape.size() != rank) {
      std::string expected = rank == 0 ? "a single value"
                                       : "an array of rank " + std::to_string(rank) + " (shape " +
                                             engine::shape_to_string(ti.shape) + ")";
      if (rank >= 1 && (ti.shape[0] == -1 || ti.shape[0] == 1)) {
        expected += ", or rank " + std::to_string(rank - 1) + " for one example";
      }
      return invalid(label, "expected " + expected + ", got rank " + std::to_string(shape.size()) +
                                " (shape " + engine::shape_to_string(shape) + ")");
    }
    if (form_source >= 0 && unbatched != req.unbatched) {
      return invalid(label, std::string(unbatched ? "is sent without" : "is sent with") +
                                " the batch dimension but input \"" +
                                sig.inputs[static_cast<size_t>(form_source)].name + "\" is not; " +
                                "send every input the same way");
    }
    req.unbatched = unbatched;
    if (!fixed_dims_match(ti.shape, shape)) {
      return invalid(label, "expected shape " + engine::shape_to_string(ti.shape) + ", got " +
                                engine::shape_to_string(shape));
    }
    Result<int64_t> count = engine::checked_num_elements(shape, engine::dtype_size(ti.dtype));
    if (!count.ok()) return count.status().with_context(label);
    if (max_batch >= 1) {
      int64_t rows = shape.empty() ? 0 : shape[0];
      if (rows < 1) return invalid(label, "batch size 0 must be at least 1");
      if (rows > max_batch) {
        return invalid(label, "batch size " + std::to_string(rows) +
                                  " exceeds the model's max batch size " +
                                  std::to_string(max_batch));
      }
      if (form_source >= 0 && rows != req.batch_rows) {
        return invalid(label, "batch size " + std::to_string(rows) + " differs from input \"" +
                                  sig.inputs[static_cast<size_t>(form_source)].name +
                                  "\" batch size " + std::to_string(req.batch_rows));
      }
      req.batch_rows = rows;
    }
    form_source = iv.index;
    Tensor t = Tensor::allocate(ti.dtype, std::move(shape));
    RETURN_IF_ERROR(json_fill_tensor(*iv.value, t, label));
    req.inputs[static_cast<size_t>(iv.index)] = std::move(t);
  }
  return req;
}

Result<DominoRequest> decode(std::string_view body, const serving::ModelInfo& info,
                             const DecodeLimits& limits) {
  const auto& sig = info.signature;
  alignas(16) unsigned char arena[8192];
  json::monotonic_resource resource(arena, sizeof arena);
  ASSIGN_OR_RETURN(json::value doc,
                   parse_json(body, limits.max_json_depth, json::storage_ptr(&resource)));
  if (!doc.is_object()) return invalid_argument("request body must be a JSON object");
  const json::object& root = doc.get_object();

  std::vector<InputValue> values;
  const json::value* data = find_key(root, "data");
  const json::value* positional = find_key(root, "parameters");
  if (data != nullptr && data->is_object()) {
    const json::object& o = data->get_object();
    for (const auto& kv : o) {
      std::string_view name(kv.key().data(), kv.key().size());
      int index = find_tensor(sig.inputs, name);
      if (index < 0) {
        return invalid_argument("unknown input \"" + std::string(name) +
                                "\"; the model's inputs are: " + join_names(sig.inputs));
      }
      values.push_back({index, &kv.value()});
    }
  } else if (data != nullptr && sig.inputs.size() == 1) {
    // A model with one input may take its value directly: {"data": [[1, 2, 3]]}.
    values.push_back({0, data});
  } else if (data != nullptr) {
    return invalid_argument(
        "\"data\" must be an object mapping input names to values; the "
        "model's inputs are: " +
        join_names(sig.inputs));
  } else if (positional != nullptr && positional->is_array()) {
    const json::array& a = positional->get_array();
    if (a.size() != sig.inputs.size()) {
      return invalid_argument("\"parameters\" has " + std::to_string(a.size()) +
                              " values but the model has " + std::to_string(sig.inputs.size()) +
                              " inputs: " + join_names(sig.inputs));
    }
    for (size_t i = 0; i < a.size(); ++i) values.push_back({static_cast<int>(i), &a[i]});
  } else {
    return invalid_argument(
        "request has no \"data\" object; send {\"data\": {\"<input>\": "
        "<value>, ...}} with the model's inputs: " +
        join_names(sig.inputs));
  }
  std::vector<char> seen(sig.inputs.size(), 0);
  for (const InputValue& iv : values) {
    if (seen[static_cast<size_t>(iv.index)]) {
      return invalid(tensor_label("input", sig.inputs[static_cast<size_t>(iv.index)].name),
                     "appears more than once");
    }
    seen[static_cast<size_t>(iv.index)] = 1;
  }
  for (size_t i = 0; i < sig.inputs.size(); ++i) {
    if (!seen[i]) {
      return invalid_argument("missing input \"" + sig.inputs[i].name +
                              "\"; the model's inputs are: " + join_names(sig.inputs));
    }
  }
  return decode_values(values, info);
}

}  // namespace

Result<DominoRequest> decode_domino_request(std::string_view body, const serving::ModelInfo& info,
                                            const DecodeLimits& limits) {
  try {
    return decode(body, info, limits);
  } catch (const std::bad_alloc&) {
    return resource_exhausted("out of memory while decoding the request");
  } catch (const std::exception& e) {
    return internal_error(std::string("decoding the request failed: ") + e.what());
  }
}

std::string encode_domino_response(const serving::ModelInfo& info, const DominoRequest& req,
                                   std::span<const engine::Tensor> outputs, double model_time_ms,
                                   std::string_view request_id) {
  const auto& sig = info.signature;
  std::string out;
  size_t estimate = 160 + request_id.size();
  for (const Tensor& t : outputs) estimate += 32 + static_cast<size_t>(t.num_elements()) * 14;
  out.reserve(estimate);
  out += "{\"result\":{";
  for (size_t i = 0; i < outputs.size() && i < sig.outputs.size(); ++i) {
    const Tensor& t = outputs[i];
    if (i) out += ',';
    json_append_string(out, sig.outputs[i].name);
    out += ':';
    std::span<const int64_t> shape = t.shape();
    if (req.unbatched && !shape.empty() && shape[0] == 1) shape = shape.subspan(1);
    json_append_nested(out, t, shape);
  }
  out += "},\"model_time_in_ms\":";
  json_append_double(out, model_time_ms);
  out += ",\"request_id\":";
  json_append_string(out, request_id);
  out += ",\"release\":{\"model_version\":";
  json_append_string(out, info.config.version);
  out += ",\"harness_version\":";
  json_append_string(out, kHarnessVersion);
  out += "}}";
  return out;
}

}  // namespace modelhost::protocol
