// Open Inference Protocol (KServe v2 / Triton) infer request and response bodies over HTTP,
// including the binary tensor data extension.
//
// JSON element policy (both directions):
// * FP*/INT*/UINT* elements are JSON numbers; an integer input takes only integral values in its
//   type's range (3.0 is fine, 3.5 and 300 for INT8 are not); booleans are not numbers. Integers
//   written for a float input are converted (1 -> 1.0f).
// * BOOL elements are true/false (0/1 accepted on input); written as true/false.
// * Float NaN/Inf: JSON has no literal for them, so an FP32/FP64 element may be one of the
//   strings "NaN", "Infinity", "-Infinity" (also "nan", "inf", "-inf", "+inf", any case), and
//   outputs are written that way. -0.0 keeps its sign both ways (written "-0.0").
// * FP16/BF16 are not allowed in JSON (protocol rule): inputs must use binary_data_size, and such
//   outputs are always returned binary even when the client asked for JSON.
// * BYTES is not supported.
//
// Binary tensors: binary input bytes follow the JSON header in `inputs` order and are viewed in
// place (no copy) when their address is aligned for the element type, else copied. A header
// length of 0 is a raw binary request: the whole body is the single input's bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/ir/tensor.h"
#include "protocol/decode_limits.h"
#include "serving/types.h"

namespace modelhost::protocol {

struct RequestedOutput {
  int index = 0;        // into info.signature.outputs
  bool binary = false;  // bytes after the JSON instead of a "data" array
};

struct OipInferRequest {
  std::optional<std::string> id;         // echoed in the response when present
  std::vector<engine::Tensor> inputs;    // in signature order
  std::vector<RequestedOutput> outputs;  // response order; all outputs when the request lists none
  int64_t batch_rows = 1;                // the leading dim when info.config.max_batch_size >= 1
  std::optional<int64_t> timeout_us;     // from parameters.timeout
};

// Decodes and validates an infer request against `info` (names, datatypes, shapes, batch size,
// element values). `body` is the whole HTTP body; `header_length` is the
// Inference-Header-Content-Length value when the header was present (see parse_header_length).
// Input tensors may view `body`: `owner` must keep that memory alive, and is held by every such
// tensor. Errors are kInvalidArgument naming the input/output and the problem (HTTP 400).
// Never throws.
Result<OipInferRequest> decode_infer_request(std::string_view body,
                                             std::optional<uint64_t> header_length,
                                             const serving::ModelInfo& info,
                                             std::shared_ptr<const void> owner,
                                             const DecodeLimits& limits = {});

struct EncodedBody {
  std::string body;
  std::optional<size_t> header_length;  // JSON size; set iff any output is binary
  std::string_view content_type;        // "application/octet-stream" iff binary, else JSON
};

// Encodes the response for `req`. `outputs` holds every model output in signature order (as
// serving::InferResponse does); the ones req.outputs names are written in that order.
EncodedBody encode_infer_response(const serving::ModelInfo& info, const OipInferRequest& req,
                                  std::span<const engine::Tensor> outputs);

// Parses an Inference-Header-Content-Length header value: decimal digits only, at most
// INT32_MAX (as Triton parses it) and at most `body_size`; else kInvalidArgument naming the value.
Result<uint64_t> parse_header_length(std::string_view value, size_t body_size);

}  // namespace modelhost::protocol
