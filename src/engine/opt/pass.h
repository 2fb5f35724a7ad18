// Graph passes: rewrites of an ir::Graph between loading and planning.
//
// Each pass is a separate unit with its own tests. A pass may only fire when the rewritten graph
// computes the same outputs (constant folding runs the very kernels the executor would run).
// optimize() runs the default pipeline and reports what each pass did, for `modelhost perf`
// and the load log.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/ir/graph.h"

namespace modelhost::engine::opt {

struct PassReport {
  std::string pass;
  size_t nodes_before = 0;
  size_t nodes_after = 0;
  // Op counts after the pass.
  std::map<std::string, int> op_counts;
};

// Removes nodes none of whose outputs reach a graph output, and initializers nothing reads.
Status eliminate_dead_nodes(ir::Graph& graph);

// Replaces every deterministic default-domain node whose inputs are all initializers by its
// outputs, computed with the node's own kernel, as new initializers. Nodes whose kernel fails or
// whose outputs would be very large are left in place (their error, if any, shows at run time).
Status fold_constants(ir::Graph& graph);

// Folds an inference BatchNormalization that follows a Conv into the Conv's weights and bias.
Status fold_conv_batch_norm(ir::Graph& graph);

// Replaces the spelled-out layer norm over the last axis (ReduceMean, Sub, Pow, ReduceMean, Add,
// Sqrt, Div, Mul, Add) by LayerNormalization.
Status fuse_layer_norm(ir::Graph& graph);

// Replaces x * 0.5 * (1 + Erf(x / sqrt(2))) in its exported spellings by Gelu.
Status fuse_gelu(ir::Graph& graph);

// MatMul with a 2-D weight + Add of a bias row [+ activation] -> FusedMatMul (com.modelhost).
Status fuse_matmul_bias(ir::Graph& graph);

// The scaled dot-product attention of Hugging Face BERT exports (Transposes, MatMul, scale,
// mask Add, Softmax, MatMul, Transpose) -> FusedAttention (com.modelhost).
Status fuse_attention(ir::Graph& graph);

// Conv [+ Add of a run-time value] [+ activation] -> FusedConv (com.modelhost).
Status fuse_conv_activation(ir::Graph& graph);

// FusedMatMul's and MatMul's 2-D float32 weights -> packed strips (FusedMatMul packed_n).
Status pack_matmul_weights(ir::Graph& graph);

// Marks chains of FusedConvs whose intermediate tensors can stay in oneDNN's blocked layout.
Status keep_blocked_layouts(ir::Graph& graph);

struct OptimizeOptions {
  // The CPU's own layouts (oneDNN blocked convolution chains, packed MatMul weights); off for a
  // graph placed on a device, whose kernels take the plain ONNX layouts.
  bool cpu_layouts = true;
};

// The default pipeline, in this order: constant folding, dead-node elimination, Conv+BN folding,
// LayerNorm fusion, GELU fusion, attention fusion, MatMul+bias(+activation) fusion,
// Conv(+Add)(+activation) fusion, blocked layouts across convolutions, MatMul weight packing,
// and dead-node elimination again for the weights the rewrites left unused.
Result<std::vector<PassReport>> optimize(ir::Graph& graph, const OptimizeOptions& options = {});

// Op type -> count.
std::map<std::string, int> count_ops(const ir::Graph& graph);

}  // namespace modelhost::engine::opt
