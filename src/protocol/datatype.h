// Names of element types on the wire: Open Inference Protocol datatypes ("FP32") and Triton model
// config types ("TYPE_FP32"), mapped to and from engine::DataType.
#pragma once

#include <optional>
#include <string_view>

#include "engine/ir/data_type.h"

namespace modelhost::protocol {

// "BOOL", "UINT8", ..., "FP32", "BF16" -> the engine type. Unknown names and "BYTES" (which the
// engine has no type for) give nullopt; callers tell the two apart with is_bytes_datatype().
std::optional<engine::DataType> dtype_from_oip(std::string_view name);
bool is_bytes_datatype(std::string_view name);

// The OIP name of `dt` ("FP32"); "" for kUndefined.
std::string_view oip_name(engine::DataType dt);

// The Triton config name of `dt` ("TYPE_FP32"); "TYPE_INVALID" for kUndefined.
std::string_view config_type_name(engine::DataType dt);

}  // namespace modelhost::protocol
