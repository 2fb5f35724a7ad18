#include "engine/ir/attribute.h"

namespace modelhost::engine::ir {

std::string attribute_kind_name(const AttributeValue& value) {
  struct Namer {
    std::string operator()(float) const { return "float"; }
    std::string operator()(int64_t) const { return "int"; }
    std::string operator()(const std::string&) const { return "string"; }
    std::string operator()(const Tensor&) const { return "tensor"; }
    std::string operator()(const std::vector<float>&) const { return "floats"; }
    std::string operator()(const std::vector<int64_t>&) const { return "ints"; }
    std::string operator()(const std::vector<std::string>&) const { return "strings"; }
    std::string operator()(const GraphAttribute&) const { return "graph"; }
    std::string operator()(const UnsupportedAttribute& u) const { return u.onnx_type; }
  };
  return std::visit(Namer{}, value);
}

template <typename T>
Result<T> Attributes::get(const std::string& name, T default_value, const char* kind) const {
  auto it = values_.find(name);
  if (it == values_.end()) return default_value;
  if (const T* v = std::get_if<T>(&it->second)) return *v;
  return invalid_argument("attribute \"" + name + "\" must be of type " + kind + ", got " +
                          attribute_kind_name(it->second));
}

Result<int64_t> Attributes::get_int(const std::string& name, int64_t default_value) const {
  return get<int64_t>(name, default_value, "int");
}
Result<float> Attributes::get_float(const std::string& name, float default_value) const {
  return get<float>(name, default_value, "float");
}
Result<std::string> Attributes::get_string(const std::string& name,
                                           std::string default_value) const {
  return get<std::string>(name, std::move(default_value), "string");
}
Result<std::vector<int64_t>> Attributes::get_ints(const std::string& name,
                                                  std::vector<int64_t> default_value) const {
  return get<std::vector<int64_t>>(name, std::move(default_value), "ints");
}
Result<std::vector<float>> Attributes::get_floats(const std::string& name,
                                                  std::vector<float> default_value) const {
  return get<std::vector<float>>(name, std::move(default_value), "floats");
}
Result<Tensor> Attributes::get_tensor(const std::string& name) const {
  if (!has(name)) return invalid_argument("attribute \"" + name + "\" is required");
  return get<Tensor>(name, Tensor(), "tensor");
}
Result<GraphAttribute> Attributes::get_graph(const std::string& name) const {
  if (!has(name)) return invalid_argument("attribute \"" + name + "\" is required");
  return get<GraphAttribute>(name, nullptr, "graph");
}

}  // namespace modelhost::engine::ir
