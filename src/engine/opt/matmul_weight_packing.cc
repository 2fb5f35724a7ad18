// MatMul weight packing: the 2-D float32 weight B of every FusedMatMul, and of every plain MatMul
// by such a weight (which becomes a FusedMatMul without bias), is replaced by its packed form
// [ceil(N / 16), K, 16] (cpu/sgemm_packed.h) and the node gets packed_n = N. The kernel then
// multiplies against strips laid out once at load time instead of repacking B on every call,
// which is what a GEMM library does when it only sees B per call. The original weight is
// dropped as soon as nothing else reads it, so packing does not double the weights' memory.
#include <map>

#include "engine/cpu/sgemm_packed.h"
#include "engine/opt/graph_view.h"
#include "engine/opt/pass.h"

namespace modelhost::engine::opt {

Status pack_matmul_weights(ir::Graph& graph) {
  GraphView view(graph);
  bool packed_any = false;
  std::map<std::string, std::string> packed_name;  // a weight shared by several MatMuls packs once
  std::map<std::string, size_t> readers_left;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    ir::Node& n = view.node(i);
    const bool fused = n.domain == ir::kModelhostDomain && n.op_type == "FusedMatMul" &&
                       !n.attributes.has("packed_n");
    if (!fused && !view.is(i, "MatMul")) continue;
    if (n.inputs.size() < 2) continue;
    const std::string b_name = n.inputs[1];
    const Tensor* b = view.weight(b_name);
    if (b == nullptr || b->dtype() != DataType::kFloat32 || b->rank() != 2 ||
        b->num_elements() == 0 || n.inputs[0] == b_name) {
      continue;
    }
    const int64_t cols = b->shape()[1];
    auto [it, fresh] = packed_name.try_emplace(b_name);
    if (fresh) {
      it->second = view.add_weight(b_name + "_packed", cpu::pack_weight(*b));
      readers_left[b_name] = view.consumers(b_name).size();
    }
    n.inputs[1] = it->second;
    n.attributes.set("packed_n", cols);
    if (!fused) {
      n.domain = ir::kModelhostDomain;
      n.op_type = "FusedMatMul";
      n.opset = 1;
    }
    packed_any = true;
    // Free B right away when this was its last reader, so that at no point does the graph hold
    // both copies of every weight.
    if (--readers_left[b_name] == 0 && !view.is_graph_output(b_name)) {
      graph.initializers.erase(b_name);
    }
  }
  if (packed_any) graph.opsets[ir::kModelhostDomain] = 1;
  view.compact();
  return Status();
}

}  // namespace modelhost::engine::opt
