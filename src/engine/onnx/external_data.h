// External tensor data: weights stored in a file next to the model (TensorProto.data_location =
// EXTERNAL, with `location`, `offset` and `length` entries).
//
// A model is untrusted input, so `location` may only name a regular file inside the model's
// folder: absolute paths, `..` escapes and symlinks pointing outside are refused.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "common/status.h"

namespace modelhost::engine::onnx_import {

// The canonical path of `location` if it stays inside `model_dir`, else an error.
Result<std::filesystem::path> resolve_external_path(const std::filesystem::path& model_dir,
                                                    const std::string& location);

// Reads exactly `size` bytes at `offset` from `path` into the buffer `allocate` returns, which is
// called only once the range is known to lie inside the file (so a model cannot make the engine
// allocate more than its files hold). `length`, when the model gives one, must equal `size`.
Status read_external_bytes(const std::filesystem::path& path, int64_t offset,
                           std::optional<int64_t> length, int64_t size,
                           const std::function<void*()>& allocate);

}  // namespace modelhost::engine::onnx_import
