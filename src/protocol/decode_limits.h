// Limits the decoders enforce on untrusted request bodies.
#pragma once

namespace modelhost::protocol {

struct DecodeLimits {
  // Deepest nesting of JSON arrays and objects accepted anywhere in a body, nested tensor data
  // included (Triton flattens nested `data` to depth 100).
  int max_json_depth = 100;
};

}  // namespace modelhost::protocol
