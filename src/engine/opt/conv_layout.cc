// Blocked layouts across convolutions: where a FusedConv's output is read only by ops that can
// take oneDNN's nChw8c layout, it stays blocked instead of being reordered back to NCHW and
// forward again by each reader. The producer gets blocked_output = 1 (cpu/conv.cc). Readers that
// take it:
//   - FusedConvs, as their input X or residual Z (blocked_input / blocked_residual = 1);
//   - a 2-D MaxPool whose output only FusedConvs read (a ResNet's stem), which becomes
//     BlockedMaxPool with the same window attributes and a blocked output
//     (cpu/blocked_max_pool.cc);
//   - GlobalAveragePool, which becomes BlockedGlobalAveragePool (its [N,C,1,1] output is the same
//     in both layouts);
//   - the channel scale of squeeze-and-excitation, Mul(y, s) with s an [N,C,1,1] value computed
//     by 1x1 FusedConvs from a pooled value, when everything reading the product is a FusedConv:
//     it becomes BlockedChannelScale and its output stays blocked too
//     (cpu/blocked_channel_ops.cc).
// Only 2-D convolutions whose channel counts are multiples of 8 take part, so a blocked tensor
// has exactly the size of its NCHW shape; it is never a graph output and never read by any
// other op, so no other kernel ever sees the blocked data.
#include "engine/opt/graph_view.h"
#include "engine/opt/pass.h"

namespace modelhost::engine::opt {
namespace {

// W of a FusedConv when it is a 4-D float32 weight.
const Tensor* conv2d_weight(const GraphView& view, size_t i) {
  if (view.removed(i)) return nullptr;
  const ir::Node& n = view.node(i);
  if (n.domain != ir::kModelhostDomain || n.op_type != "FusedConv" || n.inputs.size() < 2) {
    return nullptr;
  }
  const Tensor* w = view.weight(n.inputs[1]);
  return w != nullptr && w->rank() == 4 ? w : nullptr;
}

// Whether FusedConv r reads `y` only as its X or its Z (not as W or B).
bool reads_as_data(const ir::Node& n, const std::string& y) {
  const bool as_x = n.inputs[0] == y;
  const bool as_z = n.inputs.size() > 3 && n.inputs[3] == y;
  return as_x != as_z && (n.inputs.size() < 2 || n.inputs[1] != y) &&
         (n.inputs.size() < 3 || n.inputs[2] != y);
}

bool all_zero(const Result<std::vector<int64_t>>& v) {
  if (!v.ok()) return false;
  for (int64_t x : *v) {
    if (x != 0) return false;
  }
  return true;
}

// Whether `value` is a tensor with 1x1 spatial dims: a GlobalAveragePool output, or the output
// of a 1x1, unpadded, ungrouped FusedConv reading one. `depth` bounds the walk.
bool unit_spatial(const GraphView& view, const std::string& value, int depth = 4) {
  const auto p = view.producer(value);
  if (!p || view.removed(*p) || depth == 0) return false;
  const ir::Node& n = view.node(*p);
  if (view.is(*p, "GlobalAveragePool") ||
      (n.domain == ir::kModelhostDomain && n.op_type == "BlockedGlobalAveragePool")) {
    return true;
  }
  const Tensor* w = conv2d_weight(view, *p);
  if (w == nullptr || w->shape()[2] != 1 || w->shape()[3] != 1 || n.inputs.size() > 3) {
    return false;
  }
  auto group = n.attributes.get_int("group", 1);
  auto pad = n.attributes.get_string("auto_pad", "NOTSET");
  if (!group.ok() || *group != 1 || !pad.ok() || (*pad != "NOTSET" && *pad != "VALID") ||
      (n.attributes.has("pads") && !all_zero(n.attributes.get_ints("pads", {})))) {
    return false;
  }
  return unit_spatial(view, n.inputs[0], depth - 1);
}

// The per-channel scale operand of Mul node m when its other operand is `y` with `channels`
// channels: an [N, channels, 1, 1] value per unit_spatial whose producing conv has `channels`
// outputs. Empty when m is not such a channel scale.
std::string channel_scale_operand(const GraphView& view, size_t m, const std::string& y,
                                  int64_t channels) {
  if (!view.is(m, "Mul")) return "";
  const ir::Node& n = view.node(m);
  if (n.inputs.size() != 2 || (n.inputs[0] == y) == (n.inputs[1] == y)) return "";
  const std::string& s = n.inputs[0] == y ? n.inputs[1] : n.inputs[0];
  const auto p = view.producer(s);
  if (!p) return "";
  const Tensor* w = conv2d_weight(view, *p);
  if (w == nullptr || w->shape()[0] != channels || !unit_spatial(view, s)) return "";
  return s;
}

// Whether every reader of `value` is a 2-D FusedConv reading it as X or Z (and there is one).
bool read_by_convs_only(const GraphView& view, const std::string& value) {
  if (view.is_graph_output(value)) return false;
  const std::vector<size_t> readers = view.consumers(value);
  for (size_t r : readers) {
    if (conv2d_weight(view, r) == nullptr || !reads_as_data(view.node(r), value)) return false;
  }
  return !readers.empty();
}

void mark_conv_readers(GraphView& view, const std::string& value) {
  for (size_t r : view.consumers(value)) {
    ir::Node& n = view.node(r);
    n.attributes.set(n.inputs[0] == value ? "blocked_input" : "blocked_residual", int64_t{1});
  }
}

// Whether MaxPool node m can run blocked: 2-D window, no Indices output, read by convs only.
bool blockable_max_pool(const GraphView& view, size_t m) {
  if (!view.is(m, "MaxPool")) return false;
  const ir::Node& n = view.node(m);
  const auto kernel = n.attributes.get_ints("kernel_shape", {});
  return n.inputs.size() == 1 && (n.outputs.size() == 1 || n.outputs[1].empty()) && kernel.ok() &&
         kernel->size() == 2 && read_by_convs_only(view, n.outputs[0]);
}

void to_modelhost_op(ir::Node& n, const char* op_type, std::vector<std::string> inputs) {
  n.op_type = op_type;
  n.domain = ir::kModelhostDomain;
  n.opset = 1;
  n.inputs = std::move(inputs);
  n.attributes = ir::Attributes();
}

}  // namespace

Status keep_blocked_layouts(ir::Graph& graph) {
  GraphView view(graph);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Tensor* w = conv2d_weight(view, i);
    if (w == nullptr || w->shape()[0] % 8 != 0) continue;
    const int64_t channels = w->shape()[0];
    const std::string y = view.node(i).outputs[0];
    if (view.is_graph_output(y)) continue;
    const std::vector<size_t> readers = view.consumers(y);
    std::vector<std::string> scales(readers.size());  // the s of each channel-scale reader
    bool blockable = !readers.empty();
    for (size_t k = 0; k < readers.size() && blockable; ++k) {
      const size_t r = readers[k];
      if (conv2d_weight(view, r) != nullptr) {
        blockable = reads_as_data(view.node(r), y);
      } else if (view.is(r, "GlobalAveragePool")) {
        blockable = view.node(r).inputs.size() == 1;
      } else if (view.is(r, "MaxPool")) {
        blockable = blockable_max_pool(view, r);
      } else {
        scales[k] = channel_scale_operand(view, r, y, channels);
        blockable = !scales[k].empty() && read_by_convs_only(view, view.node(r).outputs[0]);
      }
    }
    if (!blockable) continue;
    view.node(i).attributes.set("blocked_output", int64_t{1});
    for (size_t k = 0; k < readers.size(); ++k) {
      ir::Node& n = view.node(readers[k]);
      if (n.domain == ir::kModelhostDomain) {
        n.attributes.set(n.inputs[0] == y ? "blocked_input" : "blocked_residual", int64_t{1});
      } else if (n.op_type == "GlobalAveragePool") {
        to_modelhost_op(n, "BlockedGlobalAveragePool", {y});
      } else if (n.op_type == "MaxPool") {
        ir::Attributes window = n.attributes;
        to_modelhost_op(n, "BlockedMaxPool", {y});
        for (const auto& [name, value] : window.all()) {
          if (name != "storage_order") n.attributes.set(name, value);
        }
        n.outputs.resize(1);
        mark_conv_readers(view, n.outputs[0]);
      } else {
        to_modelhost_op(n, "BlockedChannelScale", {y, scales[k]});
        mark_conv_readers(view, n.outputs[0]);
      }
    }
  }
  view.compact();
  return Status();
}

}  // namespace modelhost::engine::opt
