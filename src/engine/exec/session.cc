#include "engine/exec/session.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>
#include <thread>

#include "common/logging.h"
#include "common/thread_pool.h"
#include "engine/exec/device.h"
#include "engine/exec/executor.h"
#include "engine/exec/shape_inference.h"
#include "engine/ir/arena.h"
#include "engine/onnx/model_loader.h"
#include "engine/opt/pass.h"

namespace modelhost::engine {

namespace {

std::string describe(DataType dtype, std::span<const int64_t> shape) {
  return std::string(dtype_name(dtype)) + " " + shape_to_string(shape);
}

bool batchable(const ModelSignature& sig) {
  if (sig.inputs.empty() || sig.outputs.empty()) return false;
  auto leading_open = [](const TensorInfo& t) { return !t.shape.empty() && t.shape[0] == -1; };
  for (const auto& t : sig.inputs) {
    if (!leading_open(t)) return false;
  }
  for (const auto& t : sig.outputs) {
    if (!leading_open(t)) return false;
  }
  return true;
}

bool overlaps(const Tensor& a, const Tensor& b) {
  if (a.byte_size() == 0 || b.byte_size() == 0) return false;
  auto a0 = reinterpret_cast<uintptr_t>(a.raw_data());
  auto b0 = reinterpret_cast<uintptr_t>(b.raw_data());
  return a0 < b0 + b.byte_size() && b0 < a0 + a.byte_size();
}

Tensor deep_copy(const Tensor& t) {
  Tensor copy = Tensor::allocate(t.dtype(), t.shape());
  if (t.byte_size() > 0) std::memcpy(copy.mutable_raw_data(), t.raw_data(), t.byte_size());
  return copy;
}

class OnnxSession final : public Session {
 public:
  static Result<std::unique_ptr<Session>> create(const std::string& path,
                                                 const SessionOptions& options) {
    if (options.intra_op_threads < 0) {
      return invalid_argument("intra_op_threads must be >= 0, got " +
                              std::to_string(options.intra_op_threads));
    }
    ASSIGN_OR_RETURN(ir::Model model, onnx_import::load_model(path));
    std::unique_ptr<OnnxSession> s(new OnnxSession());
    for (const auto& n : model.graph.nodes) ++s->metadata_.op_counts[n.op_type];
    // Shapes of the model as written, from the declared inputs: contradictions fail the load.
    ASSIGN_OR_RETURN(const auto shapes, exec::infer_shapes(model.graph, model.input_dim_params));
    for (const auto& v : model.graph.outputs) {
      ModelMetadata::InferredShape out;
      out.name = v.name;
      if (auto it = shapes.find(v.name); it != shapes.end()) {
        out.has_shape = true;
        for (const exec::SymDim& d : it->second) {
          out.shape.push_back(d.value);
          out.symbols.push_back(d.known() ? "" : d.param);
        }
      }
      s->metadata_.output_shapes.push_back(std::move(out));
    }
    if (options.optimize) {
      // Plan the unoptimized graph first, so every structural error (unknown op, bad opset,
      // cycle, missing input) is reported against the model as written.
      RETURN_IF_ERROR(exec::Executor::create(model.graph).status());
      opt::OptimizeOptions opt_options;
      opt_options.cpu_layouts = options.device == nullptr;
      ASSIGN_OR_RETURN(auto reports, opt::optimize(model.graph, opt_options));
      for (const auto& r : reports) {
        ModelMetadata::Pass p{
            r.pass, static_cast<int64_t>(r.nodes_before), static_cast<int64_t>(r.nodes_after), {}};
        for (const auto& [op, n] : r.op_counts) p.op_counts[op] = n;
        s->metadata_.passes.push_back(std::move(p));
      }
    }
    ASSIGN_OR_RETURN(auto executor,
                     exec::Executor::create(model.graph, options.device.get(),
                                            &s->metadata_.placement, options.device_graphs));

    s->executor_ = std::move(executor);
    s->device_ = options.device;
    for (const auto& v : model.graph.inputs) {
      s->signature_.inputs.push_back({v.name, v.dtype, v.shape});
      s->input_has_shape_.push_back(v.has_shape);
    }
    for (size_t i = 0; i < model.graph.outputs.size(); ++i) {
      const ir::Value& v = model.graph.outputs[i];
      // An output the model declares without a shape gets the inferred one.
      const auto& inferred = s->metadata_.output_shapes[i];
      s->signature_.outputs.push_back(
          {v.name, v.dtype, v.has_shape || !inferred.has_shape ? v.shape : inferred.shape});
    }
    s->signature_.batchable = batchable(s->signature_);
    s->metadata_.opset = model.graph.opsets.at(ir::kDefaultDomain);
    s->metadata_.ir_version = model.ir_version;
    s->metadata_.producer_name = model.producer_name;
    s->metadata_.input_dim_params = std::move(model.input_dim_params);

    int threads = options.intra_op_threads;
    if (threads == 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    // The calling thread takes a share of every parallel loop, so the pool has one thread less.
    if (threads > 1) s->pool_ = std::make_unique<ThreadPool>(threads - 1);

    LOG_INFO("model loaded")
        .kv("nodes", static_cast<int64_t>(model.graph.nodes.size()))
        .kv("nodes_as_loaded",
            [&] {
              int64_t n = 0;
              for (const auto& [op, c] : s->metadata_.op_counts) n += c;
              return n;
            }())
        .kv("opset", s->metadata_.opset)
        .kv("inputs", static_cast<int64_t>(s->signature_.inputs.size()))
        .kv("outputs", static_cast<int64_t>(s->signature_.outputs.size()))
        .kv("batchable", s->signature_.batchable)
        .kv("intra_op_threads", threads);
    if (s->device_ != nullptr) {
      const ModelMetadata::Placement& p = s->metadata_.placement;
      LOG_INFO("model placed on the device")
          .kv("device", p.device)
          .kv("device_nodes", p.device_nodes)
          .kv("cpu_nodes", static_cast<int64_t>(p.cpu_nodes.size()))
          .kv("copies_per_run", static_cast<int64_t>(p.copies.size()))
          .kv("uploaded_weight_bytes", p.uploaded_bytes)
          .kv("graphs", p.graphs);
    }
    return std::unique_ptr<Session>(std::move(s));
  }

  Result<std::vector<Tensor>> run(std::span<const Tensor> inputs) const override {
    return run_with(inputs, nullptr);
  }

  Result<std::vector<Tensor>> run_profiled(std::span<const Tensor> inputs,
                                           OpProfile& profile) const override {
    return run_with(inputs, &profile);
  }

  const ModelSignature& signature() const override { return signature_; }
  const ModelMetadata& metadata() const override { return metadata_; }

 private:
  OnnxSession() = default;

  Result<std::vector<Tensor>> run_with(std::span<const Tensor> inputs, OpProfile* profile) const {
    RETURN_IF_ERROR(check_inputs(inputs));
    exec::KernelContext ctx;
    ctx.pool = pool_.get();
    std::unique_ptr<exec::DeviceRun> device_run;
    if (device_ != nullptr) {
      ASSIGN_OR_RETURN(device_run, device_->begin_run());
      ctx.device = device_run.get();
    }
    // This call's intermediates live in an arena of its own, taken from the idle ones.
    std::shared_ptr<BufferArena> arena = take_arena();
    struct GiveBack {
      const OnnxSession* session;
      std::shared_ptr<BufferArena> arena;
      ~GiveBack() { session->return_arena(std::move(arena)); }
    } give_back{this, arena};
    ScopedArena scope(arena.get());
    try {
      auto result = executor_->run(inputs, ctx, profile);
      if (device_run != nullptr) {
        // The device's own errors (flagged by its kernels) come out here, after its work ended.
        Status device_status = device_->end_run(std::move(device_run));
        if (result.ok() && !device_status.ok()) return device_status;
      }
      ASSIGN_OR_RETURN(std::vector<Tensor> outputs, std::move(result));
      // Identity, Reshape and friends may hand back a view of a caller's buffer; outputs must
      // outlive and stay independent of the inputs, so those are copied.
      for (Tensor& out : outputs) {
        for (const Tensor& in : inputs) {
          if (overlaps(out, in)) {
            out = deep_copy(out);
            break;
          }
        }
      }
      return outputs;
    } catch (const std::bad_alloc&) {
      return resource_exhausted("out of memory while running the model");
    }
  }

  Status check_inputs(std::span<const Tensor> inputs) const {
    const auto& expected = signature_.inputs;
    if (inputs.size() != expected.size()) {
      return invalid_argument("expected " + std::to_string(expected.size()) + " inputs, got " +
                              std::to_string(inputs.size()));
    }
    for (size_t i = 0; i < inputs.size(); ++i) {
      const TensorInfo& want = expected[i];
      const Tensor& got = inputs[i];
      bool match = got.defined() && got.dtype() == want.dtype;
      if (match && input_has_shape_[i]) {
        match = got.shape().size() == want.shape.size();
        for (size_t d = 0; match && d < want.shape.size(); ++d) {
          match = want.shape[d] < 0 || want.shape[d] == got.shape()[d];
        }
      }
      if (match) {
        auto n = checked_num_elements(got.shape(), dtype_size(got.dtype()));
        match = n.ok() && *n == got.num_elements() && (*n == 0 || got.raw_data() != nullptr);
      }
      if (!match) {
        const std::string want_shape = input_has_shape_[i] ? shape_to_string(want.shape) : "[...]";
        return invalid_argument("input \"" + want.name + "\": expected " +
                                std::string(dtype_name(want.dtype)) + " " + want_shape + ", got " +
                                describe(got.dtype(), got.shape()));
      }
    }
    return Status::ok_status();
  }

  std::shared_ptr<BufferArena> take_arena() const {
    std::lock_guard<std::mutex> lock(arena_mu_);
    if (idle_arenas_.empty()) {
      all_arenas_.push_back(std::make_shared<BufferArena>());
      return all_arenas_.back();
    }
    std::shared_ptr<BufferArena> a = std::move(idle_arenas_.back());
    idle_arenas_.pop_back();
    return a;
  }

  void return_arena(std::shared_ptr<BufferArena> arena) const {
    std::lock_guard<std::mutex> lock(arena_mu_);
    idle_arenas_.push_back(std::move(arena));
  }

 public:
  MemoryStats memory_stats() const override {
    MemoryStats m;
    std::lock_guard<std::mutex> lock(arena_mu_);
    m.arenas = all_arenas_.size();
    for (const auto& a : all_arenas_) {
      BufferArena::Stats st = a->stats();
      m.peak_arena_bytes = std::max(m.peak_arena_bytes, st.peak_in_use_bytes);
      m.arena_bytes += st.in_use_bytes + st.free_bytes;
    }
    for (const auto& [slot, t] : executor_->constants()) {
      (t.on_device() ? m.device_weight_bytes : m.weight_bytes) += t.byte_size();
    }
    return m;
  }

 private:
  std::shared_ptr<const exec::DeviceProvider> device_;  // before executor_: outlives its kernels
  std::unique_ptr<exec::Executor> executor_;
  mutable std::mutex arena_mu_;
  mutable std::vector<std::shared_ptr<BufferArena>> all_arenas_;   // one per concurrent run seen
  mutable std::vector<std::shared_ptr<BufferArena>> idle_arenas_;  // not in use by a run now
  ModelSignature signature_;
  ModelMetadata metadata_;
  std::vector<bool> input_has_shape_;
  std::unique_ptr<ThreadPool> pool_;
};

}  // namespace

MemoryStats Session::memory_stats() const { return MemoryStats{}; }

const ModelMetadata& Session::metadata() const {
  static const ModelMetadata kEmpty;
  return kEmpty;
}

Result<std::vector<Tensor>> Session::run_profiled(std::span<const Tensor> inputs,
                                                  OpProfile& /*profile*/) const {
  return run(inputs);
}

Result<std::unique_ptr<Session>> Session::create(const std::string& model_path,
                                                 const SessionOptions& options) {
  try {
    return OnnxSession::create(model_path, options);
  } catch (const std::bad_alloc&) {
    return resource_exhausted("out of memory while loading the model");
  }
}

}  // namespace modelhost::engine
