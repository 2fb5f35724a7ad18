#include "engine/onnx/model_loader.h"

#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <system_error>

#include "engine/onnx/tensor_proto.h"
#include "onnx/onnx.pb.h"

namespace modelhost::engine::onnx_import {

namespace fs = std::filesystem;

namespace {

std::string normalize_domain(const std::string& domain) {
  return domain == "ai.onnx" ? std::string(ir::kDefaultDomain) : domain;
}

// A declared value. Subgraph inputs and outputs may leave their type out (`untyped_ok`): it is
// then unknown, as it is for any intermediate value.
Result<ir::Value> convert_value_info(const ::onnx::ValueInfoProto& info, bool untyped_ok) {
  ir::Value value;
  value.name = info.name();
  if (untyped_ok && !info.has_type()) return value;
  if (!info.type().has_tensor_type()) {
    return unimplemented("\"" + info.name() + "\" is not a tensor; only tensors are supported");
  }
  const auto& tt = info.type().tensor_type();
  auto dtype = dtype_from_onnx(tt.elem_type());
  if (!dtype.ok()) return dtype.status().with_context("\"" + info.name() + "\"");
  value.dtype = *dtype;
  if (tt.has_shape()) {
    value.has_shape = true;
    for (const auto& dim : tt.shape().dim()) {
      // dim_param and missing dims are both open; a negative dim_value is malformed, open too.
      value.shape.push_back(dim.has_dim_value() && dim.dim_value() >= 0 ? dim.dim_value() : -1);
    }
  }
  return value;
}

// What a graph being converted sees: the model's folder and opsets, and the values of the
// scopes around it (empty for the top-level graph; a subgraph may read them).
struct Scope {
  const fs::path& model_dir;
  const std::map<std::string, int64_t>& opsets;
  std::set<std::string> outer;
};

Result<ir::Graph> convert_graph(::onnx::GraphProto& gp, const Scope& scope, bool top_level);

Result<ir::AttributeValue> convert_attribute(::onnx::AttributeProto& attr, const Scope& scope) {
  using A = ::onnx::AttributeProto;
  switch (attr.type()) {
    case A::FLOAT:
      return ir::AttributeValue(attr.f());
    case A::INT:
      return ir::AttributeValue(static_cast<int64_t>(attr.i()));
    case A::STRING:
      return ir::AttributeValue(attr.s());
    case A::TENSOR: {
      auto t = decode_tensor(attr.t(), scope.model_dir);
      if (!t.ok()) return t.status();
      return ir::AttributeValue(std::move(t).value());
    }
    case A::GRAPH: {
      auto g = convert_graph(*attr.mutable_g(), scope, /*top_level=*/false);
      if (!g.ok()) return g.status();
      return ir::AttributeValue(
          ir::GraphAttribute(std::make_shared<const ir::Graph>(std::move(g).value())));
    }
    case A::FLOATS:
      return ir::AttributeValue(std::vector<float>(attr.floats().begin(), attr.floats().end()));
    case A::INTS:
      return ir::AttributeValue(std::vector<int64_t>(attr.ints().begin(), attr.ints().end()));
    case A::STRINGS:
      return ir::AttributeValue(
          std::vector<std::string>(attr.strings().begin(), attr.strings().end()));
    default:
      return ir::AttributeValue(ir::UnsupportedAttribute{
          A::AttributeType_IsValid(attr.type())
              ? A::AttributeType_Name(static_cast<A::AttributeType>(attr.type()))
              : std::to_string(attr.type())});
  }
}

// Names the first node consuming `value`, for errors about initializers.
std::string consumer_context(const ir::Graph& g, const std::string& value) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (const auto& in : g.nodes[i].inputs) {
      if (in == value) return " (used by " + ir::describe_node(g.nodes[i], i) + ")";
    }
  }
  return "";
}

// Converts and checks one graph: the model's, or (top_level false) a subgraph, whose nodes and
// outputs may also read the values of `scope.outer` and whose inputs and outputs may be untyped.
// A node with subgraphs gets the outer-scope values they read appended to its inputs
// (ir::outer_scope_names), so that everything downstream sees those dependencies.
Result<ir::Graph> convert_graph(::onnx::GraphProto& gp, const Scope& scope, bool top_level) {
  ir::Graph g;
  g.name = gp.name();
  g.opsets = scope.opsets;
  const std::string where = top_level ? "" : "subgraph \"" + gp.name() + "\": ";
  auto in_context = [&](const Status& st, const std::string& what) {
    return st.with_context(where + what);
  };

  // Nodes first (without attributes), so that initializer errors can name a consumer.
  g.nodes.reserve(static_cast<size_t>(gp.node_size()));
  for (const auto& np : gp.node()) {
    ir::Node node;
    node.name = np.name();
    node.op_type = np.op_type();
    node.domain = normalize_domain(np.domain());
    auto it = g.opsets.find(node.domain);
    node.opset = it == g.opsets.end() ? 0 : it->second;
    node.inputs.assign(np.input().begin(), np.input().end());
    node.outputs.assign(np.output().begin(), np.output().end());
    g.nodes.push_back(std::move(node));
  }

  // Then initializers and inputs: they are in scope for the subgraphs of the nodes.
  // Each weight's bytes are released from the message once decoded, so loading holds about one
  // copy of the weights at a time instead of two.
  for (auto& tp : *gp.mutable_initializer()) {
    if (tp.name().empty()) return invalid_argument(where + "an initializer has no name");
    if (g.initializers.count(tp.name())) {
      return invalid_argument(where + "initializer \"" + tp.name() + "\" is defined twice");
    }
    auto t = decode_tensor(tp, scope.model_dir);
    if (!t.ok()) {
      return in_context(t.status(),
                        "initializer \"" + tp.name() + "\"" + consumer_context(g, tp.name()));
    }
    g.initializers.emplace(tp.name(), std::move(t).value());
    if (tp.has_raw_data()) std::string().swap(*tp.mutable_raw_data());
  }
  if (gp.sparse_initializer_size() > 0) {
    return unimplemented(where + "sparse initializers are not supported");
  }
  // Graph inputs that are also initializers are weights with a default, not model inputs.
  std::set<std::string> available;
  for (const auto& [name, t] : g.initializers) available.insert(name);
  for (const auto& vi : gp.input()) {
    if (g.initializers.count(vi.name())) continue;
    auto converted = convert_value_info(vi, !top_level);
    if (!converted.ok()) return in_context(converted.status(), "graph input");
    ir::Value v = std::move(converted).value();
    if (!available.insert(v.name).second) {
      return invalid_argument(where + "graph input \"" + v.name + "\" is declared twice");
    }
    g.inputs.push_back(std::move(v));
  }

  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (const auto& out : g.nodes[i].outputs) {
      if (out.empty()) continue;  // an omitted optional output
      if (!available.insert(out).second) {
        return invalid_argument(where + ir::describe_node(g.nodes[i], i) + ": output \"" + out +
                                "\" is already produced by a graph input, an initializer or "
                                "another node");
      }
    }
  }
  // A subgraph sees every value of this graph (whatever the node order: the executor orders
  // them) and of the scopes around it.
  std::set<std::string> visible = available;
  visible.insert(scope.outer.begin(), scope.outer.end());
  const Scope inner{scope.model_dir, scope.opsets, visible};
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    auto& np = *gp.mutable_node(static_cast<int>(i));
    for (auto& ap : *np.mutable_attribute()) {
      auto value = convert_attribute(ap, inner);
      if (!value.ok()) {
        return value.status().with_context(where + ir::describe_node(g.nodes[i], i) +
                                           ": attribute \"" + ap.name() + "\"");
      }
      g.nodes[i].attributes.set(ap.name(), std::move(value).value());
    }
    for (std::string& name : ir::outer_scope_names(g.nodes[i])) {
      g.nodes[i].inputs.push_back(std::move(name));
    }
  }

  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (const auto& in : g.nodes[i].inputs) {
      if (!in.empty() && !available.count(in) && !scope.outer.count(in)) {
        return invalid_argument(where + ir::describe_node(g.nodes[i], i) + ": input \"" + in +
                                "\" is not a graph input, an initializer or the output of "
                                "another node" +
                                (top_level ? "" : " (here or in an enclosing graph)"));
      }
    }
  }

  if (gp.output_size() == 0) return invalid_argument(where + "graph has no outputs");
  for (const auto& vi : gp.output()) {
    auto v = convert_value_info(vi, !top_level);
    if (!v.ok()) return in_context(v.status(), "graph output");
    if (!available.count(v->name) && !scope.outer.count(v->name)) {
      return invalid_argument(where + "graph output \"" + v->name +
                              "\" is not produced by any node");
    }
    g.outputs.push_back(std::move(v).value());
  }
  return g;
}

Result<ir::Model> convert_model(::onnx::ModelProto& proto, const fs::path& model_dir) {
  ir::Model model;
  model.ir_version = proto.ir_version();
  model.producer_name = proto.producer_name();
  std::map<std::string, int64_t> opsets;
  for (const auto& op : proto.opset_import()) {
    opsets[normalize_domain(op.domain())] = op.version();
  }
  if (!opsets.count(ir::kDefaultDomain)) {
    return invalid_argument("model imports no opset for the default ONNX domain");
  }
  const Scope scope{model_dir, opsets, {}};
  ASSIGN_OR_RETURN(model.graph, convert_graph(*proto.mutable_graph(), scope, /*top_level=*/true));
  for (const auto& vi : proto.graph().input()) {
    if (model.graph.initializers.count(vi.name())) continue;
    if (const auto& tt = vi.type().tensor_type(); tt.has_shape()) {
      auto& params = model.input_dim_params[vi.name()];
      for (const auto& dim : tt.shape().dim()) params.push_back(dim.dim_param());
    }
  }
  return model;
}

}  // namespace

Result<ir::Model> load_model_from_bytes(const std::string& bytes, const std::string& model_dir) {
  ::onnx::ModelProto proto;
  if (!proto.ParseFromString(bytes)) {
    return invalid_argument("not a valid ONNX model (protobuf parsing failed)");
  }
  if (!proto.has_graph()) {
    return invalid_argument("not a valid ONNX model (it has no graph)");
  }
  return convert_model(proto, fs::path(model_dir));
}

Result<ir::Model> load_model(const std::string& path) {
  // Messages leave the path out: callers know it, and it may be an internal storage path.
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) return not_found("model file does not exist");
  if (!fs::is_regular_file(status)) return invalid_argument("model path is not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalid_argument("model file cannot be opened");
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  // Parsed straight from the file: no second copy of a large model in memory.
  ::onnx::ModelProto proto;
  if (!proto.ParseFromIstream(&in)) {
    if (in.bad()) return invalid_argument("model file cannot be read");
    return invalid_argument("not a valid ONNX model (protobuf parsing failed)");
  }
  if (!proto.has_graph()) {
    return invalid_argument("not a valid ONNX model (it has no graph)");
  }
  return convert_model(proto, dir);
}

}  // namespace modelhost::engine::onnx_import
