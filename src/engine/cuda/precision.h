// The numeric modes of GPU execution (`--precision`).
#pragma once

#include <string_view>

#include "common/status.h"

namespace modelhost::engine::cuda {

// The numeric mode of a matmul: the dtype A, B and D are stored in, and whether float32 inputs
// may use TF32 tensor cores.
enum class Precision { kFp32, kTf32, kFp16, kBf16 };

// "fp32", "tf32", "fp16", "bf16" -> Precision; errors name the choices.
Result<Precision> parse_precision(std::string_view text);
const char* precision_name(Precision p);

}  // namespace modelhost::engine::cuda
