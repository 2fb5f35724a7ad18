#include "engine/ir/data_type.h"

#include <array>
#include <utility>

namespace modelhost::engine {
namespace {

struct Info {
  DataType dt;
  size_t size;
  std::string_view name;
};

constexpr std::array<Info, 14> kInfos = {{
    {DataType::kUndefined, 0, "undefined"},
    {DataType::kFloat32, 4, "float32"},
    {DataType::kFloat16, 2, "float16"},
    {DataType::kBFloat16, 2, "bfloat16"},
    {DataType::kFloat64, 8, "float64"},
    {DataType::kInt8, 1, "int8"},
    {DataType::kUInt8, 1, "uint8"},
    {DataType::kInt16, 2, "int16"},
    {DataType::kUInt16, 2, "uint16"},
    {DataType::kInt32, 4, "int32"},
    {DataType::kUInt32, 4, "uint32"},
    {DataType::kInt64, 8, "int64"},
    {DataType::kUInt64, 8, "uint64"},
    {DataType::kBool, 1, "bool"},
}};

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

}  // namespace modelhost::engine
