// Loading an .onnx file into the engine's IR.
//
// The loader parses the protobuf, decodes initializers (inline or external data) and attributes,
// and checks what can be checked without knowing kernels: a default-domain opset is imported,
// every node input is produced by something (graph input, initializer or another node), no value
// is produced twice, every graph output exists. Subgraphs (If, Loop, Scan) are converted and
// checked the same way, their nodes may also read values of the enclosing graphs; a node with
// subgraphs gets the outer values they read appended to its inputs (ir::outer_scope_names). Kernel lookup, opset ranges and cycles are
// checked when the executor plans the graph (exec/).
#pragma once

#include <string>

#include "common/status.h"
#include "engine/ir/graph.h"

namespace modelhost::engine::onnx_import {

// Reads and converts the model at `path`. External data is resolved relative to the model's
// folder. Error messages name the node (op type, domain, opset) or the tensor at fault.
Result<ir::Model> load_model(const std::string& path);

// Same as load_model, from bytes already in memory (e.g. a fuzzer's input); `model_dir` anchors
// external data.
Result<ir::Model> load_model_from_bytes(const std::string& bytes, const std::string& model_dir);

}  // namespace modelhost::engine::onnx_import
