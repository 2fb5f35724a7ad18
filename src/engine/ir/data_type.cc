#include "engine/ir/data_type.h"

#include <array>
#include <string>
#include <utility>

namespace modelhost::engine {
namespace {

struct Info {
  DataType dt;
  size_t size;
  std::string_view name;
  int32_t onnx_code;  // TensorProto.DataType
};

constexpr std::array<Info, 22> kInfos = {{
    {DataType::kUndefined, 0, "undefined", 0},
    {DataType::kFloat32, 4, "float32", 1},
    {DataType::kFloat16, 2, "float16", 10},
    {DataType::kBFloat16, 2, "bfloat16", 16},
    {DataType::kFloat64, 8, "float64", 11},
    {DataType::kInt8, 1, "int8", 3},
    {DataType::kUInt8, 1, "uint8", 2},
    {DataType::kInt16, 2, "int16", 5},
    {DataType::kUInt16, 2, "uint16", 4},
    {DataType::kInt32, 4, "int32", 6},
    {DataType::kUInt32, 4, "uint32", 12},
    {DataType::kInt64, 8, "int64", 7},
    {DataType::kUInt64, 8, "uint64", 13},
    {DataType::kBool, 1, "bool", 9},
    {DataType::kFloat8E4M3FN, 1, "float8e4m3fn", 17},
    {DataType::kFloat8E4M3FNUZ, 1, "float8e4m3fnuz", 18},
    {DataType::kFloat8E5M2, 1, "float8e5m2", 19},
    {DataType::kFloat8E5M2FNUZ, 1, "float8e5m2fnuz", 20},
    {DataType::kFloat8E8M0, 1, "float8e8m0", 24},
    {DataType::kInt4, 1, "int4", 22},
    {DataType::kUInt4, 1, "uint4", 21},
    {DataType::kFloat4E2M1, 1, "float4e2m1", 23},
}};

constexpr std::array<std::string_view, 25> kOnnxNames = {
    "UNDEFINED",      "FLOAT",    "UINT8",        "INT8",           "UINT16",
    "INT16",          "INT32",    "INT64",        "STRING",         "BOOL",
    "FLOAT16",        "DOUBLE",   "UINT32",       "UINT64",         "COMPLEX64",
    "COMPLEX128",     "BFLOAT16", "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2",
    "FLOAT8E5M2FNUZ", "UINT4",    "INT4",         "FLOAT4E2M1",     "FLOAT8E8M0"};

const Info& info(DataType dt) {
  auto i = static_cast<size_t>(dt);
  return i < kInfos.size() ? kInfos[i] : kInfos[0];
}

}  // namespace

size_t dtype_size(DataType dt) { return info(dt).size; }
std::string_view dtype_name(DataType dt) { return info(dt).name; }

std::optional<DataType> dtype_from_name(std::string_view name) {
  for (const auto& i : kInfos) {
    if (i.name == name && i.dt != DataType::kUndefined) return i.dt;
  }
  return std::nullopt;
}

std::optional<DataType> dtype_from_onnx_code(int64_t code) {
  for (const auto& i : kInfos) {
    if (i.onnx_code == code && i.dt != DataType::kUndefined) return i.dt;
  }
  return std::nullopt;
}

int32_t dtype_onnx_code(DataType dt) { return info(dt).onnx_code; }

std::string onnx_type_name(int64_t code) {
  if (code >= 0 && code < static_cast<int64_t>(kOnnxNames.size())) {
    return std::string(kOnnxNames[static_cast<size_t>(code)]);
  }
  return std::to_string(code);
}

bool dtype_is_narrow(DataType dt) {
  return static_cast<uint8_t>(dt) >= static_cast<uint8_t>(DataType::kFloat8E4M3FN);
}

bool dtype_is_4bit(DataType dt) {
  return dt == DataType::kInt4 || dt == DataType::kUInt4 || dt == DataType::kFloat4E2M1;
}

}  // namespace modelhost::engine
