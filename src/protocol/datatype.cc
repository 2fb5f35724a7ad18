#include "protocol/datatype.h"

#include <array>

namespace modelhost::protocol {
namespace {

using engine::DataType;

struct Names {
  DataType dt;
  std::string_view oip;
  std::string_view config;
};

constexpr std::array<Names, 13> kNames = {{
    {DataType::kBool, "BOOL", "TYPE_BOOL"},
    {DataType::kUInt8, "UINT8", "TYPE_UINT8"},
    {DataType::kUInt16, "UINT16", "TYPE_UINT16"},
    {DataType::kUInt32, "UINT32", "TYPE_UINT32"},
    {DataType::kUInt64, "UINT64", "TYPE_UINT64"},
    {DataType::kInt8, "INT8", "TYPE_INT8"},
    {DataType::kInt16, "INT16", "TYPE_INT16"},
    {DataType::kInt32, "INT32", "TYPE_INT32"},
    {DataType::kInt64, "INT64", "TYPE_INT64"},
    {DataType::kFloat16, "FP16", "TYPE_FP16"},
    {DataType::kFloat32, "FP32", "TYPE_FP32"},
    {DataType::kFloat64, "FP64", "TYPE_FP64"},
    {DataType::kBFloat16, "BF16", "TYPE_BF16"},
}};

const Names* find(DataType dt) {
  for (const auto& n : kNames) {
    if (n.dt == dt) return &n;
  }
  return nullptr;
}

}  // namespace

std::optional<engine::DataType> dtype_from_oip(std::string_view name) {
  for (const auto& n : kNames) {
    if (n.oip == name) return n.dt;
  }
  return std::nullopt;
}

bool is_bytes_datatype(std::string_view name) { return name == "BYTES"; }

std::string_view oip_name(engine::DataType dt) {
  const Names* n = find(dt);
  return n ? n->oip : std::string_view();
}

std::string_view config_type_name(engine::DataType dt) {
  const Names* n = find(dt);
  return n ? n->config : std::string_view("TYPE_INVALID");
}

}  // namespace modelhost::protocol
