// Domino Model API bodies (POST /models/{name}/latest/model), mapped onto a model's inputs.
//
// Request:  {"data": {"<input>": <value>, ...}}. Each value is a number, a boolean or a nested
//           array shaped like the input (rectangular; ragged arrays are refused). The legacy
//           positional form {"parameters": [<value>, ...]} maps values to inputs in signature
//           order. Element rules are those of tensor_json.h: NaN/Inf as the strings "NaN",
//           "Infinity", "-Infinity"; FP16/BF16 read as numbers.
//           A value may carry the full shape (batch dim included) or, when the input's leading
//           dim is -1 or 1, one example without it: then it is sent as batch 1 and the outputs
//           come back without that leading dim. All inputs must use the same form.
// Response: {"result": {"<output>": <nested array>, ...}, "model_time_in_ms": 1.23,
//            "request_id": "...", "release": {"model_version": "1",
//            "harness_version": "modelhost-0.1"}}
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/ir/tensor.h"
#include "protocol/decode_limits.h"
#include "serving/types.h"

namespace modelhost::protocol {

struct DominoRequest {
  std::vector<engine::Tensor> inputs;  // signature order
  int64_t batch_rows = 1;              // the leading dim when info.config.max_batch_size >= 1
  // True when the caller sent one example without the batch dim: outputs are returned without it.
  bool unbatched = false;
};

// Decodes and validates against `info`. Errors are kInvalidArgument naming the input and the
// problem. Never throws.
Result<DominoRequest> decode_domino_request(std::string_view body, const serving::ModelInfo& info,
                                            const DecodeLimits& limits = {});

// `outputs`: every model output, in signature order.
std::string encode_domino_response(const serving::ModelInfo& info, const DominoRequest& req,
                                   std::span<const engine::Tensor> outputs, double model_time_ms,
                                   std::string_view request_id);

}  // namespace modelhost::protocol
