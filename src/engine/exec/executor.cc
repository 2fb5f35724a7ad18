#include "engine/exec/executor.h"

#include <chrono>
#include <cstring>
#include <deque>
#include <map>

#include "common/logging.h"
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

Result<std::unique_ptr<Executor>> Executor::create(const ir::Graph& graph,
                                                   const DeviceProvider* device,
                                                   ModelMetadata::Placement* placement,
                                                   bool graphs) {
  RETURN_IF_ERROR(check_opset(graph));
  std::unique_ptr<Executor> ex(new Executor());
  ex->device_ = device;

  const size_t n = graph.nodes.size();
  std::vector<std::unique_ptr<Kernel>> kernels(n);
  std::vector<const KernelDef*> defs(n);
  for (size_t i = 0; i < n; ++i) {
    const ir::Node& node = graph.nodes[i];
    defs[i] = KernelRegistry::instance().find(node.domain, node.op_type, node.opset);
    if (defs[i] == nullptr) {
      return unimplemented(ir::describe_node(node, i) + ": no kernel for this op");
    }
    auto kernel = defs[i]->factory(node);
    if (!kernel.ok()) return kernel.status().with_context(ir::describe_node(node, i));
    kernels[i] = std::move(kernel).value();
  }
  ASSIGN_OR_RETURN(std::vector<size_t> order, topological_order(graph));

  std::map<std::string, int> slot_of;
  std::vector<std::string> slot_name;
  auto slot = [&](const std::string& name) {
    auto [it, inserted] = slot_of.emplace(name, ex->num_slots_);
    if (inserted) {
      ++ex->num_slots_;
      slot_name.push_back(name);
    }
    return it->second;
  };
  for (const auto& [name, t] : graph.initializers) ex->constants_.emplace_back(slot(name), t);
  for (const auto& v : graph.inputs) ex->input_slots_.push_back(slot(v.name));
  std::vector<std::vector<int>> node_in(n), node_out(n);
  for (size_t i : order) {
    for (const auto& in : graph.nodes[i].inputs) node_in[i].push_back(in.empty() ? -1 : slot(in));
    for (const auto& out : graph.nodes[i].outputs) {
      node_out[i].push_back(out.empty() ? -1 : slot(out));
    }
  }
  std::vector<int> graph_outputs;
  for (const auto& v : graph.outputs) graph_outputs.push_back(slot(v.name));

  // Load-time types: what the graph declares and the weights are, carried forward through the
  // kernels that know their rules (Kernel::infer_types), so that a dtype a kernel cannot compute
  // fails here, naming the node.
  std::vector<DataType> slot_dtype(static_cast<size_t>(ex->num_slots_), DataType::kUndefined);
  for (const auto& [s, t] : ex->constants_) slot_dtype[static_cast<size_t>(s)] = t.dtype();
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    slot_dtype[static_cast<size_t>(ex->input_slots_[i])] = graph.inputs[i].dtype;
  }
  std::vector<std::vector<DataType>> node_in_types(n);
  std::vector<DataType> out_types;
  for (size_t i : order) {
    for (int s : node_in[i]) {
      node_in_types[i].push_back(s >= 0 ? slot_dtype[static_cast<size_t>(s)]
                                        : DataType::kUndefined);
    }
    out_types.assign(node_out[i].size(), DataType::kUndefined);
    Status st = kernels[i]->infer_types(node_in_types[i], out_types);
    if (!st.ok()) return st.with_context(ir::describe_node(graph.nodes[i], i));
    for (size_t j = 0; j < node_out[i].size(); ++j) {
      if (node_out[i][j] >= 0) slot_dtype[static_cast<size_t>(node_out[i][j])] = out_types[j];
    }
  }

  // Placement: a node goes to the device when the device has a kernel that takes it.
  std::vector<std::unique_ptr<Kernel>> device_kernels(n);
  std::vector<const KernelDef*> device_defs(n, nullptr);
  std::vector<std::string> cpu_reason(n);
  if (device != nullptr) {
    // Shape arithmetic stays on the CPU: a node whose data inputs are all weights or values
    // computed from weights and shapes alone (Shape reads no data) gains nothing on the device and
    // would only add copies.
    std::vector<bool> from_shapes(static_cast<size_t>(ex->num_slots_), false);
    for (const auto& [s, t] : ex->constants_) from_shapes[static_cast<size_t>(s)] = true;
    for (int s : ex->input_slots_) from_shapes[static_cast<size_t>(s)] = false;
    std::vector<bool> shape_node(n, false);
    for (size_t i : order) {
      bool only_shapes = !node_in[i].empty();
      for (size_t j = 0; j < node_in[i].size(); ++j) {
        const int s = node_in[i][j];
        const uint64_t bit = j < 64 ? uint64_t{1} << j : 0;
        if (s >= 0 && (defs[i]->metadata_inputs & bit) == 0 &&
            !from_shapes[static_cast<size_t>(s)]) {
          only_shapes = false;
        }
      }
      // A view (Reshape, ...) carries its input's data, whatever its shape input is.
      if (defs[i]->output_views_input0 && !node_in[i].empty() && node_in[i][0] >= 0) {
        only_shapes = from_shapes[static_cast<size_t>(node_in[i][0])];
      }
      shape_node[i] = only_shapes;
      for (int s : node_out[i]) {
        if (s >= 0) from_shapes[static_cast<size_t>(s)] = only_shapes;
      }
    }
    for (size_t i : order) {
      const ir::Node& node = graph.nodes[i];
      if (shape_node[i]) {
        cpu_reason[i] = "computes on weights and shapes only";
        continue;
      }
      const KernelDef* def = device->kernels().find(node.domain, node.op_type, node.opset);
      if (def == nullptr) {
        cpu_reason[i] = "no device kernel for this op";
        continue;
      }
      auto kernel = def->factory(node);
      if (!kernel.ok()) {
        cpu_reason[i] = kernel.status().message();
        continue;
      }
      out_types.assign(node_out[i].size(), DataType::kUndefined);
      if (Status st = (*kernel)->infer_types(node_in_types[i], out_types); !st.ok()) {
        cpu_reason[i] = st.message();
        continue;
      }
      device_kernels[i] = std::move(kernel).value();
      device_defs[i] = def;
    }
  }

  // Steps in order, with a copy step before the first consumer that needs a value elsewhere.
  ModelMetadata::Placement report;
  if (device != nullptr) report.device = device->name();
  enum Where : uint8_t { kHost, kDevice };
  std::vector<Where> where(static_cast<size_t>(ex->num_slots_), kHost);
  std::map<int, Tensor> constant_of;
  for (const auto& [s, t] : ex->constants_) constant_of.emplace(s, t);
  // An initializer that is also a graph input is only the input's default: copied like an input.
  for (int s : ex->input_slots_) constant_of.erase(s);
  std::map<std::pair<int, Where>, int> copy_of;  // (value, place) -> the slot of its copy there
  auto place = [&](int s, Where to) -> Result<int> {
    if (s < 0 || where[static_cast<size_t>(s)] == to) return s;
    if (auto it = copy_of.find({s, to}); it != copy_of.end()) return it->second;
    const int c = ex->num_slots_++;
    where.push_back(to);
    slot_name.push_back(slot_name[static_cast<size_t>(s)]);
    copy_of[{s, to}] = c;
    if (auto w = constant_of.find(s); w != constant_of.end() && to == kDevice) {
      ASSIGN_OR_RETURN(Tensor uploaded, device->upload(w->second));
      report.uploaded_weights += 1;
      report.uploaded_bytes += static_cast<int64_t>(w->second.byte_size());
      ex->constants_.emplace_back(c, std::move(uploaded));
      return c;
    }
    const std::string& name = slot_name[static_cast<size_t>(s)];
    Step copy;
    copy.kernel = to == kDevice ? device->copy_to_device() : device->copy_to_host();
    copy.inputs = {s};
    copy.outputs = {c};
    copy.label = "copy of \"" + name + "\" to the " + (to == kDevice ? "device" : "host");
    copy.op_type = to == kDevice ? "CopyToDevice" : "CopyToHost";
    copy.on_device = to == kDevice;
    copy.copy_in = to == kDevice;
    report.copies.push_back({name, to == kDevice});
    ex->steps_.push_back(std::move(copy));
    return c;
  };
  for (size_t i : order) {
    const ir::Node& node = graph.nodes[i];
    const bool on_device = device_kernels[i] != nullptr;
    const KernelDef& def = on_device ? *device_defs[i] : *defs[i];
    Step step;
    step.kernel = on_device ? std::move(device_kernels[i]) : std::move(kernels[i]);
    step.label = ir::describe_node(node, i);
    step.op_type = node.op_type;
    step.on_device = on_device;
    step.metadata_inputs = def.metadata_inputs;
    step.view = def.output_views_input0;
    for (size_t j = 0; j < node_in[i].size(); ++j) {
      const uint64_t bit = j < 64 ? uint64_t{1} << j : 0;
      int s = node_in[i][j];
      if ((def.metadata_inputs & bit) == 0) {
        const Where want = on_device && (def.host_inputs & bit) == 0 ? kDevice : kHost;
        ASSIGN_OR_RETURN(s, place(s, want));
      }
      step.inputs.push_back(s);
    }
    Where out_where = on_device ? kDevice : kHost;
    if (!on_device && def.output_views_input0 && !step.inputs.empty() && step.inputs[0] >= 0) {
      out_where = where[static_cast<size_t>(step.inputs[0])];
    }
    for (int s : node_out[i]) {
      if (s >= 0) where[static_cast<size_t>(s)] = out_where;
      step.outputs.push_back(s);
    }
    if (device != nullptr) {
      if (out_where == kDevice) {
        ++report.device_nodes;
      } else {
        const bool shape_reader = def.metadata_inputs != 0 && !def.output_views_input0;
        report.cpu_nodes.push_back({step.label, step.op_type,
                                    shape_reader ? "reads only shapes (no copy)" : cpu_reason[i]});
      }
    }
    ex->steps_.push_back(std::move(step));
  }
  for (int s : graph_outputs) {
    ASSIGN_OR_RETURN(int host, place(s, kHost));
    ex->output_slots_.push_back(host);
  }

  std::vector<int> last_use(static_cast<size_t>(ex->num_slots_), -1);
  for (size_t k = 0; k < ex->steps_.size(); ++k) {
    for (int s : ex->steps_[k].inputs) {
      if (s >= 0) last_use[static_cast<size_t>(s)] = static_cast<int>(k);
    }
  }
  for (int s : ex->output_slots_) last_use[static_cast<size_t>(s)] = -1;  // never released
  for (size_t s = 0; s < last_use.size(); ++s) {
    if (last_use[s] >= 0)
      ex->steps_[static_cast<size_t>(last_use[s])].release.push_back(static_cast<int>(s));
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
  if (device != nullptr && graphs && device->supports_graphs()) {
    const std::string why_not = ex->plan_graph();
    ex->graphs_ = why_not.empty();
    report.graphs = why_not.empty() ? "captured once per input shapes, then replayed"
                                    : "not captured: " + why_not;
  }
  if (placement != nullptr) *placement = std::move(report);
  return ex;
}

// Graphs: the steps before the trailing copies out are captured when nothing in them computes on
// the host from the run's data. Host values are classed: kStatic (weights, shape arithmetic:
// the same on every run of the same shapes), kStaged (a graph input, or a view of one: staged at a
// fixed pinned address), kDynamic (computed on the host from the inputs: not replayable), and
// values on the device.
std::string Executor::plan_graph() {
  enum Class : uint8_t { kStatic, kStaged, kDynamic, kOnDevice };
  std::vector<Class> cls(static_cast<size_t>(num_slots_), kStatic);
  for (const auto& [s, t] : constants_)
    cls[static_cast<size_t>(s)] = t.on_device() ? kOnDevice : kStatic;
  for (int s : input_slots_) cls[static_cast<size_t>(s)] = kStaged;
  capture_end_ = steps_.size();
  while (capture_end_ > 0 && steps_[capture_end_ - 1].op_type == "CopyToHost") --capture_end_;
  for (size_t k = 0; k < capture_end_; ++k) {
    const Step& step = steps_[k];
    Class out = kOnDevice;
    if (step.op_type == "CopyToHost") {
      return step.label + " inside the run (a CPU node reads a value of the device)";
    }
    if (step.copy_in) {
      const Class in = cls[static_cast<size_t>(step.inputs[0])];
      if (in == kDynamic) {
        return step.label + ": the value was computed on the CPU from the run's inputs";
      }
    } else if (!step.on_device) {
      if (step.view && !step.inputs.empty() && step.inputs[0] >= 0) {
        out = cls[static_cast<size_t>(step.inputs[0])];
      } else {
        out = kStatic;
        for (size_t j = 0; j < step.inputs.size(); ++j) {
          const int s = step.inputs[j];
          const uint64_t bit = j < 64 ? uint64_t{1} << j : 0;
          if (s < 0 || (step.metadata_inputs & bit) != 0) continue;
          const Class in = cls[static_cast<size_t>(s)];
          if (in == kStaged || in == kDynamic) out = kDynamic;
        }
      }
    }
    for (int s : step.outputs) {
      if (s >= 0) cls[static_cast<size_t>(s)] = out;
    }
  }
  std::vector<bool> made_after(static_cast<size_t>(num_slots_), false);
  std::vector<bool> listed(static_cast<size_t>(num_slots_), false);
  auto need = [&](int s) {
    if (s < 0 || made_after[static_cast<size_t>(s)] || listed[static_cast<size_t>(s)]) return;
    listed[static_cast<size_t>(s)] = true;
    after_slots_.push_back(s);
  };
  for (size_t k = capture_end_; k < steps_.size(); ++k) {
    for (int s : steps_[k].inputs) need(s);
    for (int s : steps_[k].outputs) {
      if (s >= 0) made_after[static_cast<size_t>(s)] = true;
    }
  }
  for (int s : output_slots_) need(s);
  for (int s : after_slots_) {
    if (cls[static_cast<size_t>(s)] == kDynamic || cls[static_cast<size_t>(s)] == kStaged) {
      return "an output is computed on the CPU from the run's inputs";
    }
  }
  return "";
}

Status Executor::run_steps(size_t begin, size_t end, std::vector<Tensor>& values,
                           const KernelContext& ctx, OpProfile* profile,
                           std::vector<Tensor>* keep) const {
  using Clock = std::chrono::steady_clock;
  std::vector<const Tensor*> in_ptrs;
  std::vector<Tensor> outs;
  for (size_t k = begin; k < end; ++k) {
    const Step& step = steps_[k];
    in_ptrs.clear();
    for (int s : step.inputs) {
      const Tensor* t = s >= 0 ? &values[static_cast<size_t>(s)] : nullptr;
      if (t != nullptr && !t->defined()) {
        // Only an optional output its producer chose not to fill can get here.
        return invalid_argument(step.label + ": an input was not produced by its node");
      }
      in_ptrs.push_back(t);
    }
    if (keep != nullptr && step.copy_in && !in_ptrs.empty() && in_ptrs[0] != nullptr) {
      keep->push_back(*in_ptrs[0]);  // a captured copy reads this host buffer on every replay
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
    if (profile != nullptr && st.ok() && device_ != nullptr && ctx.device != nullptr) {
      st = device_->synchronize(
          *ctx.device);  // a device step's time is its work's, not its launch's
    }
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
  return Status::ok_status();
}

Result<std::vector<Tensor>> Executor::collect_outputs(const std::vector<Tensor>& values) const {
  std::vector<Tensor> result;
  result.reserve(output_slots_.size());
  for (int s : output_slots_) {
    const Tensor& t = values[static_cast<size_t>(s)];
    if (!t.defined()) return internal_error("graph output was not produced");
    result.push_back(t);
  }
  return result;
}

Result<std::vector<Tensor>> Executor::run(std::span<const Tensor> inputs, const KernelContext& ctx,
                                          OpProfile* profile) const {
  if (graphs_ && profile == nullptr && ctx.device != nullptr && ctx.device->graphs != nullptr) {
    return run_graph(inputs, ctx);
  }
  using Clock = std::chrono::steady_clock;
  const Clock::time_point run_start = profile != nullptr ? Clock::now() : Clock::time_point();
  std::vector<Tensor> values(static_cast<size_t>(num_slots_));
  for (const auto& [s, t] : constants_) values[static_cast<size_t>(s)] = t;
  for (size_t i = 0; i < input_slots_.size() && i < inputs.size(); ++i) {
    values[static_cast<size_t>(input_slots_[i])] = inputs[i];
  }
  RETURN_IF_ERROR(run_steps(0, steps_.size(), values, ctx, profile, nullptr));
  ASSIGN_OR_RETURN(std::vector<Tensor> result, collect_outputs(values));
  if (profile != nullptr) {
    ++profile->runs;
    profile->run_ms += std::chrono::duration<double, std::milli>(Clock::now() - run_start).count();
  }
  return result;
}

Result<std::vector<Tensor>> Executor::run_graph(std::span<const Tensor> inputs,
                                                const KernelContext& ctx) const {
  std::string key = std::to_string(reinterpret_cast<uintptr_t>(this));
  for (const Tensor& t : inputs)
    key += "|" + std::to_string(static_cast<int>(t.dtype())) + shape_to_string(t.shape());
  std::vector<Tensor> values(static_cast<size_t>(num_slots_));
  for (const auto& [s, t] : constants_) values[static_cast<size_t>(s)] = t;
  auto ordinary = [&]() -> Result<std::vector<Tensor>> {
    for (size_t i = 0; i < input_slots_.size() && i < inputs.size(); ++i) {
      values[static_cast<size_t>(input_slots_[i])] = inputs[i];
    }
    RETURN_IF_ERROR(run_steps(0, steps_.size(), values, ctx, nullptr, nullptr));
    return collect_outputs(values);
  };
  auto& graphs = *ctx.device->graphs;
  auto found = graphs.find(key);
  if (found == graphs.end()) {
    // Shapes past the cap (a model with open sequence lengths sees many) run without graphs.
    if (graphs.size() >= kMaxCapturedShapes) return ordinary();
    found = graphs.emplace(key, CapturedRun{}).first;
  }
  CapturedRun& rec = found->second;
  if (rec.graph != nullptr) {
    for (size_t i = 0; i < inputs.size() && i < rec.staged.size(); ++i) {
      if (inputs[i].byte_size() > 0) {
        std::memcpy(rec.staged[i].mutable_raw_data(), inputs[i].raw_data(), inputs[i].byte_size());
      }
    }
    RETURN_IF_ERROR(device_->replay(*ctx.device, *rec.graph));
    for (const auto& [s, t] : rec.after) values[static_cast<size_t>(s)] = t;
    RETURN_IF_ERROR(run_steps(capture_end_, steps_.size(), values, ctx, nullptr, nullptr));
    return collect_outputs(values);
  }
  // The first run of these shapes is an ordinary one: it sizes the arena and makes the plans,
  // so that the capture allocates nothing.
  if (rec.failed || ++rec.runs < 2) return ordinary();
  std::vector<Tensor> staged;
  for (size_t i = 0; i < input_slots_.size() && i < inputs.size(); ++i) {
    auto pinned = device_->pinned_copy(inputs[i]);
    if (!pinned.ok()) {
      rec.failed = true;
      return ordinary();
    }
    staged.push_back(*pinned);
    values[static_cast<size_t>(input_slots_[i])] = *pinned;
  }
  std::vector<Tensor> keep;
  auto graph = device_->capture(
      *ctx.device, [&] { return run_steps(0, capture_end_, values, ctx, nullptr, &keep); });
  if (!graph.ok()) {
    LOG_WARN("this run could not be captured as a graph; these shapes run without one")
        .kv("error", graph.status().message());
    rec.failed = true;
    for (auto& v : values) v = Tensor();
    for (const auto& [s, t] : constants_) values[static_cast<size_t>(s)] = t;
    return ordinary();
  }
  rec.graph = std::move(graph).value();
  rec.staged = std::move(staged);
  rec.keep = std::move(keep);
  for (int s : after_slots_) rec.after.emplace_back(s, values[static_cast<size_t>(s)]);
  RETURN_IF_ERROR(device_->replay(*ctx.device, *rec.graph));  // the capture ran nothing
  RETURN_IF_ERROR(run_steps(capture_end_, steps_.size(), values, ctx, nullptr, nullptr));
  return collect_outputs(values);
}

}  // namespace modelhost::engine::exec
