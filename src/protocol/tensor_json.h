// Tensor elements <-> JSON values, shared by the OIP and Domino codecs.
//
// Reading: numbers for FP*/INT*/UINT* (an integer type takes only integral values within its
// range; booleans are never numbers), true/false or 0/1 for BOOL. Float types also take the
// strings "NaN", "Infinity" and "-Infinity" (case-insensitive, also "inf", "+inf", "-inf", "nan",
// "+Infinity"), since JSON has no literal for them; -0.0 keeps its sign. FP16 and BF16 elements
// are read as numbers and rounded to nearest even (the OIP decoder refuses them in JSON before
// getting here, as the protocol requires; the Domino decoder has no other way to receive them).
//
// Writing: integers exactly, floats with the shortest round-trip text of their own width
// (FP16/BF16 widened to float), non-finite values as the strings "NaN", "Infinity", "-Infinity",
// BOOL as true/false.
#pragma once

#include <boost/json/value.hpp>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "engine/ir/tensor.h"

namespace modelhost::protocol {

// Number of scalars in `v` after flattening nested arrays; a scalar counts 1.
int64_t json_count_scalars(const boost::json::value& v);

// Writes the scalars of `v`, flattened row-major, into `out`, which must already hold exactly
// json_count_scalars(v) elements. `what` names the tensor in errors (`input "x"`).
Status json_fill_tensor(const boost::json::value& v, engine::Tensor& out, std::string_view what);

// Appends the elements of `t` as one flat JSON array.
void json_append_flat(std::string& out, const engine::Tensor& t);

// Appends the elements of `t` as nested arrays shaped `shape` (same element count as `t`); an
// empty shape writes a bare scalar.
void json_append_nested(std::string& out, const engine::Tensor& t, std::span<const int64_t> shape);

}  // namespace modelhost::protocol
