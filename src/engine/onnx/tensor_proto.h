// Decoding onnx::TensorProto (initializers, Constant values) into engine Tensors.
//
// Internal to the engine: this header names protobuf types, so it must never be included from a
// public header (exec/session.h).
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/status.h"
#include "engine/ir/tensor.h"

namespace onnx {
class TensorProto;
}

namespace modelhost::engine::onnx_import {

// The engine dtype for an ONNX TensorProto.DataType value; unimplemented for strings, complex
// and 8-bit float types.
Result<DataType> dtype_from_onnx(int32_t onnx_type);

// Decodes a tensor from raw_data, the typed repeated fields, or an external data file. External
// files are resolved relative to `model_dir` and must stay inside it. Errors do not name the
// tensor; callers add that context.
Result<Tensor> decode_tensor(const onnx::TensorProto& proto,
                             const std::filesystem::path& model_dir);

}  // namespace modelhost::engine::onnx_import
