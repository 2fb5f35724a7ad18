#include "engine/exec/kernel.h"

namespace modelhost::engine::exec {

Status check_arity(const ir::Node& node, size_t min_inputs, size_t max_inputs, size_t max_outputs) {
  const size_t n = node.inputs.size();
  if (n < min_inputs || n > max_inputs) {
    std::string expected = min_inputs == max_inputs
                               ? std::to_string(min_inputs)
                               : std::to_string(min_inputs) + ".." + std::to_string(max_inputs);
    return invalid_argument("expected " + expected + " inputs, got " + std::to_string(n));
  }
  for (size_t i = 0; i < min_inputs; ++i) {
    if (node.inputs[i].empty()) {
      return invalid_argument("input " + std::to_string(i) + " is required but omitted");
    }
  }
  if (node.outputs.empty() || node.outputs.size() > max_outputs) {
    return invalid_argument("expected 1.." + std::to_string(max_outputs) + " outputs, got " +
                            std::to_string(node.outputs.size()));
  }
  return Status::ok_status();
}

Status check_attributes(const ir::Node& node, std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : node.attributes.all()) {
    bool found = false;
    for (std::string_view k : known) found = found || k == name;
    if (!found) return unimplemented("attribute \"" + name + "\" is not supported");
  }
  return Status::ok_status();
}

Status check_same_dtype(const Tensor& a, const Tensor& b) {
  if (a.dtype() == b.dtype()) return Status::ok_status();
  return invalid_argument("inputs have different dtypes: " + std::string(dtype_name(a.dtype())) +
                          " and " + std::string(dtype_name(b.dtype())));
}

namespace {

Status dtype_error(DataType dt, size_t input_index, std::string_view op,
                   std::span<const DataType> allowed) {
  std::string names;
  for (DataType a : allowed) {
    if (!names.empty()) names += ", ";
    names += dtype_name(a);
  }
  return unimplemented("input " + std::to_string(input_index) + " has dtype " +
                       std::string(dtype_name(dt)) + "; " + std::string(op) + " supports " + names);
}

}  // namespace

Status check_dtype(const Tensor& t, size_t input_index, std::string_view op,
                   std::initializer_list<DataType> allowed) {
  for (DataType dt : allowed) {
    if (t.dtype() == dt) return Status::ok_status();
  }
  return dtype_error(t.dtype(), input_index, op,
                     std::span<const DataType>(allowed.begin(), allowed.size()));
}

Status check_dtype(DataType dt, size_t input_index, std::string_view op,
                   std::span<const DataType> allowed) {
  if (dt == DataType::kUndefined) return Status::ok_status();
  for (DataType a : allowed) {
    if (dt == a) return Status::ok_status();
  }
  return dtype_error(dt, input_index, op, allowed);
}

Result<int64_t> normalize_axis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) {
    return invalid_argument("axis " + std::to_string(axis) + " is out of range for rank " +
                            std::to_string(rank));
  }
  return axis < 0 ? axis + rank : axis;
}

Status propagate_dtype(std::span<const DataType> inputs, std::span<DataType> outputs, size_t first,
                       size_t last) {
  DataType known = DataType::kUndefined;
  for (size_t i = first; i <= last && i < inputs.size(); ++i) {
    if (inputs[i] == DataType::kUndefined) continue;
    if (known != DataType::kUndefined && inputs[i] != known) {
      return invalid_argument("inputs have different dtypes: " + std::string(dtype_name(known)) +
                              " and " + std::string(dtype_name(inputs[i])));
    }
    known = inputs[i];
  }
  if (!outputs.empty()) outputs[0] = known;
  return Status::ok_status();
}

Status float32_only(std::span<const DataType> inputs, std::span<DataType> outputs,
                    std::string_view op) {
  static constexpr DataType kFloat32[] = {DataType::kFloat32};
  for (size_t i = 0; i < inputs.size(); ++i)
    RETURN_IF_ERROR(check_dtype(inputs[i], i, op, kFloat32));
  if (!outputs.empty()) outputs[0] = DataType::kFloat32;
  return Status::ok_status();
}

}  // namespace modelhost::engine::exec
