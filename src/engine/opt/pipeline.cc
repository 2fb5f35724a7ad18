// The default pass pipeline and the op counts reported after each pass.
#include "engine/opt/pass.h"

namespace modelhost::engine::opt {

std::map<std::string, int> count_ops(const ir::Graph& graph) {
  std::map<std::string, int> counts;
  for (const auto& n : graph.nodes) ++counts[n.op_type];
  return counts;
}

Result<std::vector<PassReport>> optimize(ir::Graph& graph, const OptimizeOptions& options) {
  std::vector<PassReport> reports;
  auto run = [&](const char* name, Status (*pass)(ir::Graph&)) -> Status {
    PassReport r;
    r.pass = name;
    r.nodes_before = graph.nodes.size();
    RETURN_IF_ERROR(pass(graph));
    r.nodes_after = graph.nodes.size();
    r.op_counts = count_ops(graph);
    reports.push_back(std::move(r));
    return Status();
  };
  RETURN_IF_ERROR(run("constant_folding", &fold_constants));
  RETURN_IF_ERROR(run("dead_node_elimination", &eliminate_dead_nodes));
  RETURN_IF_ERROR(run("conv_bn_folding", &fold_conv_batch_norm));
  RETURN_IF_ERROR(run("layer_norm_fusion", &fuse_layer_norm));
  RETURN_IF_ERROR(run("gelu_fusion", &fuse_gelu));
  RETURN_IF_ERROR(run("attention_fusion", &fuse_attention));
  RETURN_IF_ERROR(run("matmul_bias_fusion", &fuse_matmul_bias));
  RETURN_IF_ERROR(run("conv_activation_fusion", &fuse_conv_activation));
  if (options.cpu_layouts) {
    RETURN_IF_ERROR(run("conv_layout", &keep_blocked_layouts));
    RETURN_IF_ERROR(run("matmul_weight_packing", &pack_matmul_weights));
  }
  RETURN_IF_ERROR(run("dead_weight_elimination", &eliminate_dead_nodes));
  return reports;
}

}  // namespace modelhost::engine::opt
