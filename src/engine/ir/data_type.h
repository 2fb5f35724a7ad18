// DataType: the element types the engine knows, with their sizes and names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace modelhost::engine {

enum class DataType : uint8_t {
  kUndefined = 0,
  kFloat32,
  kFloat16,
  kBFloat16,
  kFloat64,
  kInt8,
  kUInt8,
  kInt16,
  kUInt16,
  kInt32,
  kUInt32,
  kInt64,
  kUInt64,
  kBool,
  // The narrow types of ONNX (opset 19..24). Each element takes one byte in memory: the 8-bit
  // floats hold their bit patterns; int4 / uint4 hold the value as an int8 / uint8 (-8..7,
  // 0..15); float4e2m1 holds its 4-bit code in the low nibble. Files pack the 4-bit types two to
  // a byte, low nibble first (onnx/tensor_proto.cc unpacks them). See ir/narrow_types.h.
  kFloat8E4M3FN,
  kFloat8E4M3FNUZ,
  kFloat8E5M2,
  kFloat8E5M2FNUZ,
  kFloat8E8M0,
  kInt4,
  kUInt4,
  kFloat4E2M1,
};

// Bytes per element; 0 for kUndefined.
size_t dtype_size(DataType dt);
// Lowercase engine name: "float32", "int64", "bool", ...
std::string_view dtype_name(DataType dt);
std::optional<DataType> dtype_from_name(std::string_view name);

// ONNX TensorProto.DataType code <-> DataType. nullopt for codes the engine has no dtype for
// (UNDEFINED, STRING, COMPLEX64, COMPLEX128, unknown codes); 0 for kUndefined.
std::optional<DataType> dtype_from_onnx_code(int64_t code);
int32_t dtype_onnx_code(DataType dt);
// The ONNX name of a code ("FLOAT", "FLOAT8E4M3FN", "STRING", ...) or the number as text.
std::string onnx_type_name(int64_t code);

// The narrow types: the 8-bit floats, int4, uint4 and float4e2m1.
bool dtype_is_narrow(DataType dt);
// The 4-bit types (int4, uint4, float4e2m1): two elements per byte in files.
bool dtype_is_4bit(DataType dt);

// C++ element type -> DataType, for typed access to tensors.
template <typename T>
struct DataTypeOf;
template <>
struct DataTypeOf<float> {
  static constexpr DataType value = DataType::kFloat32;
};
template <>
struct DataTypeOf<double> {
  static constexpr DataType value = DataType::kFloat64;
};
template <>
struct DataTypeOf<int8_t> {
  static constexpr DataType value = DataType::kInt8;
};
template <>
struct DataTypeOf<uint8_t> {
  static constexpr DataType value = DataType::kUInt8;
};
template <>
struct DataTypeOf<int16_t> {
  static constexpr DataType value = DataType::kInt16;
};
template <>
struct DataTypeOf<uint16_t> {
  static constexpr DataType value = DataType::kUInt16;
};
template <>
struct DataTypeOf<int32_t> {
  static constexpr DataType value = DataType::kInt32;
};
template <>
struct DataTypeOf<uint32_t> {
  static constexpr DataType value = DataType::kUInt32;
};
template <>
struct DataTypeOf<int64_t> {
  static constexpr DataType value = DataType::kInt64;
};
template <>
struct DataTypeOf<uint64_t> {
  static constexpr DataType value = DataType::kUInt64;
};
template <>
struct DataTypeOf<bool> {
  static constexpr DataType value = DataType::kBool;
};

}  // namespace modelhost::engine
