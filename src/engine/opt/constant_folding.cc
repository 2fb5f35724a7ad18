// Constant folding: nodes fed only by initializers are computed once at load time.
//
// This is what collapses the Shape -> Gather -> Unsqueeze -> Concat -> Reshape chains exporters
// emit once their inputs are known, and precomputes weight transforms (Transpose of a weight,
// Cast of a constant). The node's own kernel computes the value, so the folded graph gives the
// same results as the unfolded one.
#include <set>
#include <string>

#include "common/logging.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"
#include "engine/opt/pass.h"

namespace modelhost::engine::opt {
namespace {

// Ops whose output is not a function of their inputs.
const std::set<std::string, std::less<>> kNonDeterministic = {
    "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike",
    "Multinomial",  "Bernoulli",        "Dropout"};

// A folded value may not grow the model beyond this (a ConstantOfShape of a huge shape stays a
// node, computed per run, instead of becoming a huge weight).
constexpr size_t kMaxFoldedBytes = 16u << 20;

}  // namespace

Status fold_constants(ir::Graph& graph) {
  std::set<std::string> graph_outputs;
  for (const auto& o : graph.outputs) graph_outputs.insert(o.name);
  exec::KernelContext ctx;
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      const ir::Node& node = graph.nodes[i];
      if (!node.domain.empty() || kNonDeterministic.count(node.op_type)) continue;
      std::vector<const Tensor*> inputs;
      bool all_constant = true;
      size_t input_bytes = 0;
      for (const auto& in : node.inputs) {
        if (in.empty()) {
          inputs.push_back(nullptr);
          continue;
        }
        auto it = graph.initializers.find(in);
        if (it == graph.initializers.end()) {
          all_constant = false;
          break;
        }
        input_bytes += it->second.byte_size();
        inputs.push_back(&it->second);
      }
      if (!all_constant) continue;
      const exec::KernelDef* def =
          exec::KernelRegistry::instance().find(node.domain, node.op_type, node.opset);
      if (def == nullptr) continue;  // the executor reports the missing kernel
      auto kernel = def->factory(node);
      if (!kernel.ok()) continue;  // likewise for bad attributes
      std::vector<Tensor> outputs(node.outputs.size());
      Status s = (*kernel)->compute(ctx, inputs, outputs);
      if (!s.ok()) {
        LOG_DEBUG("constant folding skipped a node").kv("op", node.op_type).kv("error", s.message());
        continue;
      }
      size_t output_bytes = 0;
      bool complete = true;
      for (size_t k = 0; k < outputs.size(); ++k) {
        if (node.outputs[k].empty()) continue;
        complete = complete && outputs[k].defined();
        output_bytes += outputs[k].byte_size();
      }
      if (!complete || output_bytes > std::max(kMaxFoldedBytes, input_bytes)) continue;
      for (size_t k = 0; k < outputs.size(); ++k) {
        if (!node.outputs[k].empty()) graph.initializers[node.outputs[k]] = std::move(outputs[k]);
      }
      graph.nodes.erase(graph.nodes.begin() + static_cast<std::ptrdiff_t>(i));
      --i;
      changed = true;
    }
  }
  return Status();
}

}  // namespace modelhost::engine::opt
