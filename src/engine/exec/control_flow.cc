// Control flow: If (opset 7+), Loop (opset 7+) and Scan (opset 9+), whose subgraphs run on
// executors of their own, planned at load time like the model's graph (without the graph
// passes: subgraphs are small and run as written).
//
// A subgraph may read values of the graphs around it. The loader appends those names, sorted,
// to the node's inputs after its declared ones (ir::outer_scope_names), so the outer executor
// keeps them alive until the node has run. Here the subgraph's executor takes them as extra
// graph inputs after its declared ones, matched by position: a graph pass that renames one of
// the node's inputs (removing an Identity) still hands the right tensor to the right name.
//
// If: cond is a one-element bool tensor; the branch taken computes the outputs.
// Loop: inputs (M, cond, v_initial...), body (iteration, cond, v...) -> (cond, v..., scan...);
//   it runs while iteration < M (when M is given) and cond (when given, then the body's), and
//   returns the last v and each scan output stacked along a new first axis.
// Scan: inputs (state..., scan inputs...); each step reads one slice of every scan input along
//   its axis (scan_input_axes; scan_input_directions 1 walks backwards) and the body returns
//   (state..., scan outputs...); the slices of each scan output are stacked along its axis
//   (scan_output_axes; scan_output_directions 1 stacks in reverse order).
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/exec/executor.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::exec {
namespace {

// A subgraph ready to run: `graph` with the node's outer-scope values as extra inputs.
struct Subgraph {
  std::unique_ptr<Executor> executor;
  size_t declared_inputs = 0;
  size_t outputs = 0;
};

Result<Subgraph> plan_subgraph(const ir::Node& node, const char* attribute,
                               const std::vector<std::string>& outer) {
  ASSIGN_OR_RETURN(ir::GraphAttribute g, node.attributes.get_graph(attribute));
  if (g == nullptr)
    return invalid_argument("attribute \"" + std::string(attribute) + "\" is empty");
  ir::Graph graph = *g;
  Subgraph sub;
  sub.declared_inputs = graph.inputs.size();
  sub.outputs = graph.outputs.size();
  for (const std::string& name : outer) {
    ir::Value v;
    v.name = name;
    graph.inputs.push_back(std::move(v));
  }
  auto ex = Executor::create(graph);
  if (!ex.ok()) return ex.status().with_context(std::string(attribute) + " \"" + g->name + "\"");
  sub.executor = std::move(ex).value();
  return sub;
}

// The outer-scope values of `node` (see the top of this file): checks that the loader appended
// them after `declared` inputs.
Result<std::vector<std::string>> outer_values(const ir::Node& node, size_t declared) {
  std::vector<std::string> outer = ir::outer_scope_names(node);
  if (node.inputs.size() != declared + outer.size()) {
    return invalid_argument("expected " + std::to_string(declared) + " inputs and the subgraphs' " +
                            std::to_string(outer.size()) + " outer-scope values, got " +
                            std::to_string(node.inputs.size()) + " inputs");
  }
  return outer;
}

Result<bool> scalar_bool(const Tensor* t, const char* what) {
  if (t->dtype() != DataType::kBool || t->num_elements() != 1) {
    return invalid_argument(std::string(what) + " must be a bool tensor of one element, got " +
                            std::string(dtype_name(t->dtype())) + " " +
                            shape_to_string(t->shape()));
  }
  return *t->data<bool>();
}

Tensor int64_scalar(int64_t v) { return Tensor::from_vector<int64_t>({}, {v}); }
Tensor bool_scalar(bool v) { return Tensor::from_vector<bool>({}, {v}); }

// [outer, len, inner] views of a tensor split at `axis`: byte sizes of one slice's rows.
struct AxisSplit {
  int64_t outer = 1, len = 1;
  size_t inner_bytes = 0;
};

AxisSplit split_at(const Shape& shape, int64_t axis, DataType dtype) {
  AxisSplit s;
  int64_t inner = 1;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (d < axis) s.outer *= shape[static_cast<size_t>(d)];
    if (d > axis) inner *= shape[static_cast<size_t>(d)];
  }
  s.len = shape[static_cast<size_t>(axis)];
  s.inner_bytes = static_cast<size_t>(inner) * dtype_size(dtype);
  return s;
}

// Slice `index` of x along `axis`, the axis removed.
Tensor take_slice(const Tensor& x, int64_t axis, int64_t index) {
  Shape shape = x.shape();
  const AxisSplit s = split_at(shape, axis, x.dtype());
  shape.erase(shape.begin() + axis);
  Tensor out = Tensor::allocate(x.dtype(), shape);
  const auto* src = static_cast<const char*>(x.raw_data());
  auto* dst = static_cast<char*>(out.mutable_raw_data());
  for (int64_t o = 0; o < s.outer; ++o) {
    std::memcpy(dst + o * s.inner_bytes, src + (o * s.len + index) * s.inner_bytes, s.inner_bytes);
  }
  return out;
}

// The parts stacked along a new `axis` (in order), or an error when their shapes differ.
Result<Tensor> stack(const std::vector<Tensor>& parts, int64_t axis, const std::string& what) {
  const Tensor& first = parts.front();
  for (const Tensor& p : parts) {
    if (p.dtype() != first.dtype() || p.shape() != first.shape()) {
      return invalid_argument(
          what + ": iterations produced " + std::string(dtype_name(first.dtype())) + " " +
          shape_to_string(first.shape()) + " and " + std::string(dtype_name(p.dtype())) + " " +
          shape_to_string(p.shape()) + "; they must match to be stacked");
    }
  }
  if (axis < 0 || axis > first.rank()) {
    return invalid_argument(what + ": axis " + std::to_string(axis) +
                            " is out of range for slices of rank " + std::to_string(first.rank()));
  }
  Shape shape = first.shape();
  shape.insert(shape.begin() + axis, static_cast<int64_t>(parts.size()));
  Tensor out = Tensor::allocate(first.dtype(), shape);
  const AxisSplit s = split_at(shape, axis, first.dtype());
  auto* dst = static_cast<char*>(out.mutable_raw_data());
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto* src = static_cast<const char*>(parts[i].raw_data());
    for (int64_t o = 0; o < s.outer; ++o) {
      std::memcpy(dst + (o * s.len + static_cast<int64_t>(i)) * s.inner_bytes,
                  src + o * s.inner_bytes, s.inner_bytes);
    }
  }
  return out;
}

// Runs a subgraph on `inputs` followed by the node's outer-scope values.
Result<std::vector<Tensor>> run_subgraph(const Subgraph& sub, std::vector<Tensor>& inputs,
                                         std::span<const Tensor* const> node_inputs,
                                         size_t first_outer, const KernelContext& ctx,
                                         const char* what) {
  for (size_t i = first_outer; i < node_inputs.size(); ++i) inputs.push_back(*node_inputs[i]);
  auto outs = sub.executor->run(inputs, ctx);
  if (!outs.ok()) return outs.status().with_context(what);
  return outs;
}

class IfKernel final : public Kernel {
 public:
  IfKernel(Subgraph then_branch, Subgraph else_branch)
      : then_(std::move(then_branch)), else_(std::move(else_branch)) {}

  Status compute(const KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    ASSIGN_OR_RETURN(const bool cond, scalar_bool(inputs[0], "cond"));
    std::vector<Tensor> args;
    ASSIGN_OR_RETURN(std::vector<Tensor> outs,
                     run_subgraph(cond ? then_ : else_, args, inputs, 1, ctx,
                                  cond ? "then_branch" : "else_branch"));
    for (size_t i = 0; i < outputs.size(); ++i) outputs[i] = std::move(outs[i]);
    return Status::ok_status();
  }

 private:
  Subgraph then_, else_;
};

Result<std::unique_ptr<Kernel>> make_if(const ir::Node& node) {
  RETURN_IF_ERROR(check_attributes(node, {"then_branch", "else_branch"}));
  ASSIGN_OR_RETURN(const std::vector<std::string> outer, outer_values(node, 1));
  ASSIGN_OR_RETURN(Subgraph then_branch, plan_subgraph(node, "then_branch", outer));
  ASSIGN_OR_RETURN(Subgraph else_branch, plan_subgraph(node, "else_branch", outer));
  for (const Subgraph* b : {&then_branch, &else_branch}) {
    const char* name = b == &then_branch ? "then_branch" : "else_branch";
    if (b->declared_inputs != 0) {
      return invalid_argument(std::string(name) + " must declare no inputs, it declares " +
                              std::to_string(b->declared_inputs));
    }
    if (b->outputs != node.outputs.size()) {
      return invalid_argument(std::string(name) + " has " + std::to_string(b->outputs) +
                              " outputs for the node's " + std::to_string(node.outputs.size()));
    }
  }
  return make_kernel<IfKernel>(std::move(then_branch), std::move(else_branch));
}

class LoopKernel final : public Kernel {
 public:
  LoopKernel(Subgraph body, size_t carried, size_t scans)
      : body_(std::move(body)), carried_(carried), scans_(scans) {}

  Status compute(const KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    int64_t max_trips = -1;  // none
    if (inputs[0] != nullptr) {
      if (inputs[0]->dtype() != DataType::kInt64 || inputs[0]->num_elements() != 1) {
        return invalid_argument("M must be an int64 tensor of one element, got " +
                                std::string(dtype_name(inputs[0]->dtype())) + " " +
                                shape_to_string(inputs[0]->shape()));
      }
      max_trips = std::max<int64_t>(0, *inputs[0]->data<int64_t>());
    }
    bool cond = true;
    if (inputs[1] != nullptr) {
      ASSIGN_OR_RETURN(cond, scalar_bool(inputs[1], "cond"));
    }
    std::vector<Tensor> carried;
    for (size_t i = 0; i < carried_; ++i) {
      if (inputs[2 + i] == nullptr) {
        return invalid_argument("loop-carried input " + std::to_string(i) + " is missing");
      }
      carried.push_back(*inputs[2 + i]);
    }
    std::vector<std::vector<Tensor>> scans(scans_);
    std::vector<Tensor> args;
    for (int64_t trip = 0; (max_trips < 0 || trip < max_trips) && cond; ++trip) {
      args.clear();
      args.push_back(int64_scalar(trip));
      args.push_back(bool_scalar(cond));
      for (Tensor& v : carried) args.push_back(std::move(v));
      ASSIGN_OR_RETURN(std::vector<Tensor> outs,
                       run_subgraph(body_, args, inputs, 2 + carried_, ctx, "body"));
      ASSIGN_OR_RETURN(cond, scalar_bool(&outs[0], "the body's cond output"));
      for (size_t i = 0; i < carried_; ++i) carried[i] = std::move(outs[1 + i]);
      for (size_t k = 0; k < scans_; ++k) scans[k].push_back(std::move(outs[1 + carried_ + k]));
    }
    for (size_t i = 0; i < carried_ && i < outputs.size(); ++i) outputs[i] = std::move(carried[i]);
    for (size_t k = 0; k < scans_ && carried_ + k < outputs.size(); ++k) {
      if (scans[k].empty()) {  // no iteration: nothing tells the slice shape
        outputs[carried_ + k] = Tensor::allocate(DataType::kFloat32, {0});
        continue;
      }
      ASSIGN_OR_RETURN(outputs[carried_ + k],
                       stack(scans[k], 0, "scan output " + std::to_string(k)));
    }
    return Status::ok_status();
  }

 private:
  Subgraph body_;
  size_t carried_, scans_;
};

Result<std::unique_ptr<Kernel>> make_loop(const ir::Node& node) {
  RETURN_IF_ERROR(check_attributes(node, {"body"}));
  ASSIGN_OR_RETURN(ir::GraphAttribute g, node.attributes.get_graph("body"));
  if (g == nullptr || g->inputs.size() < 2 || g->outputs.empty()) {
    return invalid_argument(
        "body must take (iteration, cond, loop-carried...) and return (cond, ...)");
  }
  const size_t carried = g->inputs.size() - 2;
  if (g->outputs.size() < 1 + carried) {
    return invalid_argument("body takes " + std::to_string(carried) +
                            " loop-carried values but returns " +
                            std::to_string(g->outputs.size() - 1));
  }
  const size_t scans = g->outputs.size() - 1 - carried;
  ASSIGN_OR_RETURN(const std::vector<std::string> outer, outer_values(node, 2 + carried));
  if (node.outputs.size() != carried + scans) {
    return invalid_argument("the node has " + std::to_string(node.outputs.size()) +
                            " outputs for the body's " + std::to_string(carried) +
                            " loop-carried values and " + std::to_string(scans) + " scan outputs");
  }
  ASSIGN_OR_RETURN(Subgraph body, plan_subgraph(node, "body", outer));
  return make_kernel<LoopKernel>(std::move(body), carried, scans);
}

class ScanKernel final : public Kernel {
 public:
  ScanKernel(Subgraph body, size_t states, std::vector<int64_t> in_axes,
             std::vector<int64_t> in_dirs, std::vector<int64_t> out_axes,
             std::vector<int64_t> out_dirs)
      : body_(std::move(body)),
        states_(states),
        in_axes_(std::move(in_axes)),
        in_dirs_(std::move(in_dirs)),
        out_axes_(std::move(out_axes)),
        out_dirs_(std::move(out_dirs)) {}

  Status compute(const KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const size_t m = in_axes_.size();
    std::vector<int64_t> axes(m);
    int64_t steps = -1;
    for (size_t j = 0; j < m; ++j) {
      const Tensor* x = inputs[states_ + j];
      if (x == nullptr) return invalid_argument("scan input " + std::to_string(j) + " is missing");
      ASSIGN_OR_RETURN(axes[j], normalize_axis(in_axes_[j], x->rank()));
      const int64_t len = x->shape()[static_cast<size_t>(axes[j])];
      if (steps >= 0 && len != steps) {
        return invalid_argument("scan inputs disagree on the sequence length: " +
                                std::to_string(steps) + " and " + std::to_string(len));
      }
      steps = len;
    }
    std::vector<Tensor> state;
    for (size_t i = 0; i < states_; ++i) state.push_back(*inputs[i]);
    const size_t k_outs = out_axes_.size();
    std::vector<std::vector<Tensor>> scans(k_outs);
    std::vector<Tensor> args;
    for (int64_t t = 0; t < steps; ++t) {
      args.clear();
      for (Tensor& s : state) args.push_back(std::move(s));
      for (size_t j = 0; j < m; ++j) {
        const int64_t at = in_dirs_[j] == 1 ? steps - 1 - t : t;
        args.push_back(take_slice(*inputs[states_ + j], axes[j], at));
      }
      ASSIGN_OR_RETURN(std::vector<Tensor> outs,
                       run_subgraph(body_, args, inputs, states_ + m, ctx, "body"));
      state.clear();
      for (size_t i = 0; i < states_; ++i) state.push_back(std::move(outs[i]));
      for (size_t k = 0; k < k_outs; ++k) scans[k].push_back(std::move(outs[states_ + k]));
    }
    for (size_t i = 0; i < states_ && i < outputs.size(); ++i) outputs[i] = std::move(state[i]);
    for (size_t k = 0; k < k_outs && states_ + k < outputs.size(); ++k) {
      if (scans[k].empty()) {
        outputs[states_ + k] = Tensor::allocate(DataType::kFloat32, {0});
        continue;
      }
      if (out_dirs_[k] == 1) std::reverse(scans[k].begin(), scans[k].end());
      const int64_t rank = scans[k].front().rank() + 1;
      ASSIGN_OR_RETURN(const int64_t axis, normalize_axis(out_axes_[k], rank));
      ASSIGN_OR_RETURN(outputs[states_ + k],
                       stack(scans[k], axis, "scan output " + std::to_string(k)));
    }
    return Status::ok_status();
  }

 private:
  Subgraph body_;
  size_t states_;
  std::vector<int64_t> in_axes_, in_dirs_, out_axes_, out_dirs_;
};

// A per-input or per-output attribute list: `n` zeros when absent, else exactly n entries.
Result<std::vector<int64_t>> per_item(const ir::Node& node, const char* name, size_t n) {
  ASSIGN_OR_RETURN(std::vector<int64_t> v, node.attributes.get_ints(name, {}));
  if (!node.attributes.has(name)) return std::vector<int64_t>(n, 0);
  if (v.size() != n) {
    return invalid_argument("attribute \"" + std::string(name) + "\" has " +
                            std::to_string(v.size()) + " entries for " + std::to_string(n));
  }
  return v;
}

Result<std::unique_ptr<Kernel>> make_scan(const ir::Node& node) {
  RETURN_IF_ERROR(
      check_attributes(node, {"body", "num_scan_inputs", "scan_input_axes", "scan_input_directions",
                              "scan_output_axes", "scan_output_directions"}));
  ASSIGN_OR_RETURN(ir::GraphAttribute g, node.attributes.get_graph("body"));
  ASSIGN_OR_RETURN(const int64_t m, node.attributes.get_int("num_scan_inputs", -1));
  if (g == nullptr || m < 1 || static_cast<size_t>(m) > g->inputs.size()) {
    return invalid_argument("num_scan_inputs must be between 1 and the body's " +
                            std::to_string(g == nullptr ? 0 : g->inputs.size()) + " inputs, got " +
                            std::to_string(m));
  }
  const size_t states = g->inputs.size() - static_cast<size_t>(m);
  if (g->outputs.size() < states) {
    return invalid_argument("body takes " + std::to_string(states) + " state values but returns " +
                            std::to_string(g->outputs.size()) + " outputs");
  }
  const size_t k = g->outputs.size() - states;
  ASSIGN_OR_RETURN(const std::vector<std::string> outer, outer_values(node, g->inputs.size()));
  if (node.outputs.size() != states + k) {
    return invalid_argument("the node has " + std::to_string(node.outputs.size()) +
                            " outputs for the body's " + std::to_string(states + k));
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> in_axes,
                   per_item(node, "scan_input_axes", static_cast<size_t>(m)));
  ASSIGN_OR_RETURN(std::vector<int64_t> in_dirs,
                   per_item(node, "scan_input_directions", static_cast<size_t>(m)));
  ASSIGN_OR_RETURN(std::vector<int64_t> out_axes, per_item(node, "scan_output_axes", k));
  ASSIGN_OR_RETURN(std::vector<int64_t> out_dirs, per_item(node, "scan_output_directions", k));
  for (const auto* dirs : {&in_dirs, &out_dirs}) {
    for (int64_t d : *dirs) {
      if (d != 0 && d != 1) {
        return invalid_argument("scan directions must be 0 (forward) or 1 (reverse), got " +
                                std::to_string(d));
      }
    }
  }
  ASSIGN_OR_RETURN(Subgraph body, plan_subgraph(node, "body", outer));
  return make_kernel<ScanKernel>(std::move(body), states, std::move(in_axes), std::move(in_dirs),
                                 std::move(out_axes), std::move(out_dirs));
}

MH_REGISTER_CPU_KERNEL(If, 7, kMaxOpset, make_if);
MH_REGISTER_CPU_KERNEL(Loop, 7, kMaxOpset, make_loop);
MH_REGISTER_CPU_KERNEL(Scan, 9, kMaxOpset, make_scan);

}  // namespace
}  // namespace modelhost::engine::exec
