#include "engine/exec/executor.h"

#include <chrono>
#include <deque>
#include <map>

#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::exec {

namespace {

Status check_opset(const ir::Graph& graph) {
  const int64_t opset = graph.opsets.at(ir::kDefaultDomain);
  if (opset >= kMinOpset && opset <= kMaxOpset) return Status::ok_status();
  const std::string msg = "opset " + std::to_string(opset) +
                          " of the default domain is not supported; supported opsets are " +
                          std::to_string(kMinOpset) + ".." + std::to_string(kMaxOpset);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (graph.nodes[i].domain == ir::kDefaultDomain) {
      return unimplemented(ir::describe_node(graph.nodes[i], i) + ": " + msg);
    }
  }
  return unimplemented("model: " + msg);
}

// Kahn's algorithm over node indices; a node left over sits on (or behind) a cycle.
Result<std::vector<size_t>> topological_order(const ir::Graph& graph) {
  const size_t n = graph.nodes.size();
  std::map<std::string, size_t> producer;
  for (size_t i = 0; i < n; ++i) {
    for (const auto& out : graph.nodes[i].outputs) {
      if (!out.empty()) producer[out] = i;
    }
  }
  std::vector<std::vector<size_t>> consumers(n);
  std::vector<size_t> pending(n, 0);
  for (size_t i = 0; i < n; ++i) {
    for (const auto& in : graph.nodes[i].inputs) {
      auto it = producer.find(in);
      if (in.empty() || it == producer.end()) continue;
      consumers[it->second].push_back(i);
      ++pending[i];
    }
  }
  std::deque<size_t> ready;
  for (size_t i = 0; i < n; ++i) {
    if (pending[i] == 0) ready.push_back(i);
  }
  std::vector<size_t> order;
  order.reserve(n);
  while (!ready.empty()) {
    size_t i = ready.front();
    ready.pop_front();
    order.push_back(i);
    for (size_t c : consumers[i]) {
      if (--pending[c] == 0) ready.push_back(c);
    }
  }
  if (order.size() != n) {
    for (size_t i = 0; i < n; ++i) {
      if (pending[i] != 0) {
        return invalid_argument(ir::describe_node(graph.nodes[i], i) +
                                ": the graph has a cycle through this node");
      }
    }
  }
  return order;
}

}  // namespace

Result<std::unique_ptr<Executor>> Executor::create(const ir::Graph& graph) {
  RETURN_IF_ERROR(check_opset(graph));
  std::unique_ptr<Executor> ex(new Executor());

  std::vector<std::unique_ptr<Kernel>> kernels(graph.nodes.size());
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const ir::Node& node = graph.nodes[i];
    const KernelDef* def = KernelRegistry::instance().find(node.domain, node.op_type, node.opset);
    if (def == nullptr) {
      return unimplemented(ir::describe_node(node, i) + ": no kernel for this op");
    }
    auto kernel = def->factory(node);
    if (!kernel.ok()) return kernel.status().with_context(ir::describe_node(node, i));
    kernels[i] = std::move(kernel).value();
  }
  ASSIGN_OR_RETURN(std::vector<size_t> order, topological_order(graph));

  std::map<std::string, int> slot_of;
  auto slot = [&](const std::string& name) {
    auto [it, inserted] = slot_of.emplace(name, ex->num_slots_);
    if (inserted) ++ex->num_slots_;
    return it->second;
  };
  for (const auto& [name, t] : graph.initializers) ex->constants_.emplace_back(slot(name), t);
  for (const auto& v : graph.inputs) ex->input_slots_.push_back(slot(v.name));

  std::vector<int> last_use;
  for (size_t i : order) {
    const ir::Node& node = graph.nodes[i];
    Step step;
    step.kernel = std::move(kernels[i]);
    step.label = ir::describe_node(node, i);
    step.op_type = node.op_type;
    for (const auto& in : node.inputs) step.inputs.push_back(in.empty() ? -1 : slot(in));
    for (const auto& out : node.outputs) step.outputs.push_back(out.empty() ? -1 : slot(out));
    last_use.resize(static_cast<size_t>(ex->num_slots_), -1);
    for (int s : step.inputs) {
      if (s >= 0) last_use[static_cast<size_t>(s)] = static_cast<int>(ex->steps_.size());
    }
    ex->steps_.push_back(std::move(step));
  }
  for (const auto& v : graph.outputs) ex->output_slots_.push_back(slot(v.name));
  last_use.resize(static_cast<size_t>(ex->num_slots_), -1);
  for (int s : ex->output_slots_) last_use[static_cast<size_t>(s)] = -1;  // never released
  for (size_t s = 0; s < last_use.size(); ++s) {
    if (last_use[s] >= 0)
      ex->steps_[static_cast<size_t>(last_use[s])].release.push_back(static_cast<int>(s));
  }
  // Load-time types: what the graph declares and the weights are, carried forward through the
  // kernels that know their rules (Kernel::infer_types), so that a dtype a kernel cannot compute
  // fails here, naming the node.
  std::vector<DataType> slot_dtype(static_cast<size_t>(ex->num_slots_), DataType::kUndefined);
  for (const auto& [s, t] : ex->constants_) slot_dtype[static_cast<size_t>(s)] = t.dtype();
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    slot_dtype[static_cast<size_t>(ex->input_slots_[i])] = graph.inputs[i].dtype;
  }
  std::vector<DataType> in_types, out_types;
  for (const Step& step : ex->steps_) {
    in_types.clear();
    for (int s : step.inputs) {
      in_types.push_back(s >= 0 ? slot_dtype[static_cast<size_t>(s)] : DataType::kUndefined);
    }
    out_types.assign(step.outputs.size(), DataType::kUndefined);
    Status st = step.kernel->infer_types(in_types, out_types);
    if (!st.ok()) return st.with_context(step.label);
    for (size_t j = 0; j < step.outputs.size(); ++j) {
      if (step.outputs[j] >= 0) slot_dtype[static_cast<size_t>(step.outputs[j])] = out_types[j];
    }
  }
  // Weights and graph inputs are never written over (their buffers are shared with the model or
  // the caller); the run-time check below would refuse them anyway.
  std::vector<bool> fixed(static_cast<size_t>(ex->num_slots_), false);
  for (const auto& [s, t] : ex->constants_) fixed[static_cast<size_t>(s)] = true;
  for (int s : ex->input_slots_) fixed[static_cast<size_t>(s)] = true;
  for (Step& step : ex->steps_) {
    if (step.outputs.empty() || step.outputs[0] < 0) continue;
    for (int s : step.release) {
      if (!fixed[static_cast<size_t>(s)]) step.donors.push_back(s);
    }
  }
  return ex;
}

Result<std::vector<Tensor>> Executor::run(std::span<const Tensor> inputs, const KernelContext& ctx,
                                          OpProfile* profile) const {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point run_start = profile != nullptr ? Clock::now() : Clock::time_point();
  std::vector<Tensor> values(static_cast<size_t>(num_slots_));
  for (const auto& [s, t] : constants_) values[static_cast<size_t>(s)] = t;
  for (size_t i = 0; i < input_slots_.size() && i < inputs.size(); ++i) {
    values[static_cast<size_t>(input_slots_[i])] = inputs[i];
  }

  std::vector<const Tensor*> in_ptrs;
  std::vector<Tensor> outs;
  for (const Step& step : steps_) {
    in_ptrs.clear();
    for (int s : step.inputs) {
      const Tensor* t = s >= 0 ? &values[static_cast<size_t>(s)] : nullptr;
      if (t != nullptr && !t->defined()) {
        // Only an optional output its producer chose not to fill can get here.
        return invalid_argument(step.label + ": an input was not produced by its node");
      }
      in_ptrs.push_back(t);
    }
    outs.assign(step.outputs.size(), Tensor());
    // In place: hand the kernel the largest input that dies here and that no other tensor sees.
    for (int s : step.donors) {
      const Tensor& t = values[static_cast<size_t>(s)];
      if (t.sole_owner() && (!outs[0].defined() || t.num_elements() > outs[0].num_elements())) {
        outs[0] = t;
      }
    }
    const Clock::time_point step_start = profile != nullptr ? Clock::now() : Clock::time_point();
    Status st = step.kernel->compute(ctx, in_ptrs, outs);
    if (profile != nullptr) {
      OpProfile::OpTime& op = profile->by_op_type[step.op_type];
      op.total_ms += std::chrono::duration<double, std::milli>(Clock::now() - step_start).count();
      ++op.calls;
    }
    if (!st.ok()) return st.with_context(step.label);
    for (size_t j = 0; j < step.outputs.size(); ++j) {
      if (step.outputs[j] < 0) continue;
      values[static_cast<size_t>(step.outputs[j])] = std::move(outs[j]);
    }
    for (int s : step.release) values[static_cast<size_t>(s)] = Tensor();
  }

  std::vector<Tensor> result;
  result.reserve(output_slots_.size());
  for (int s : output_slots_) {
    const Tensor& t = values[static_cast<size_t>(s)];
    if (!t.defined()) return internal_error("graph output was not produced");
    result.push_back(t);
  }
  if (profile != nullptr) {
    ++profile->runs;
    profile->run_ms += std::chrono::duration<double, std::milli>(Clock::now() - run_start).count();
  }
  return result;
}

}  // namespace modelhost::engine::exec
