#include "engine/onnx/tensor_proto.h"

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "engine/ir/narrow_types.h"
#include "engine/onnx/external_data.h"
#include "onnx/onnx.pb.h"

namespace modelhost::engine::onnx_import {

namespace {

using ::onnx::TensorProto;

// Copies a repeated proto field element by element into the tensor's dtype. The tensor is
// allocated only after the field is known to hold every element.
template <typename Dst, typename Field>
Status copy_field(const Field& field, int64_t n, Tensor& t, const char* field_name) {
  if (static_cast<int64_t>(field.size()) != n) {
    return invalid_argument(std::string(field_name) + " has " + std::to_string(field.size()) +
                            " values, the shape needs " + std::to_string(n));
  }
  t = Tensor::allocate(t.dtype(), t.shape());
  Dst* dst = t.mutable_data<Dst>();
  for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<Dst>(field.Get(static_cast<int>(i)));
  return Status::ok_status();
}

Status copy_typed_fields(const TensorProto& proto, int64_t n, Tensor& t) {
  switch (t.dtype()) {
    case DataType::kFloat32:
      return copy_field<float>(proto.float_data(), n, t, "float_data");
    case DataType::kFloat64:
      return copy_field<double>(proto.double_data(), n, t, "double_data");
    case DataType::kInt64:
      return copy_field<int64_t>(proto.int64_data(), n, t, "int64_data");
    case DataType::kInt32:
      return copy_field<int32_t>(proto.int32_data(), n, t, "int32_data");
    case DataType::kInt16:
      return copy_field<int16_t>(proto.int32_data(), n, t, "int32_data");
    case DataType::kInt8:
      return copy_field<int8_t>(proto.int32_data(), n, t, "int32_data");
    case DataType::kUInt16:
    case DataType::kFloat16:
    case DataType::kBFloat16:  // 16-bit floats travel as their bit patterns
      return copy_field<uint16_t>(proto.int32_data(), n, t, "int32_data");
    case DataType::kUInt8:
    case DataType::kFloat8E4M3FN:  // the 8-bit floats travel as their bit patterns
    case DataType::kFloat8E4M3FNUZ:
    case DataType::kFloat8E5M2:
    case DataType::kFloat8E5M2FNUZ:
    case DataType::kFloat8E8M0:
      return copy_field<uint8_t>(proto.int32_data(), n, t, "int32_data");
    case DataType::kInt4:
    case DataType::kUInt4:
    case DataType::kFloat4E2M1:
      break;  // packed: decode_tensor unpacks them
    case DataType::kBool:
      return copy_field<bool>(proto.int32_data(), n, t, "int32_data");
    case DataType::kUInt32:
      return copy_field<uint32_t>(proto.uint64_data(), n, t, "uint64_data");
    case DataType::kUInt64:
      return copy_field<uint64_t>(proto.uint64_data(), n, t, "uint64_data");
    case DataType::kUndefined:
      break;
  }
  return unimplemented("tensor dtype is not supported");
}

// Reads an external tensor's `byte_size` bytes into the buffer `allocate()` returns.
template <typename Allocate>
Status read_external(const TensorProto& proto, const std::filesystem::path& model_dir,
                     int64_t byte_size, Allocate&& allocate) {
  std::string location;
  int64_t offset = 0;
  std::optional<int64_t> length;
  for (const auto& entry : proto.external_data()) {
    const std::string& key = entry.key();
    if (key == "location") {
      location = entry.value();
    } else if (key == "offset" || key == "length") {
      int64_t v = 0;
      try {
        size_t pos = 0;
        v = std::stoll(entry.value(), &pos);
        if (pos != entry.value().size()) throw std::invalid_argument("trailing characters");
      } catch (const std::exception&) {
        return invalid_argument("external data " + key + " \"" + entry.value() +
                                "\" is not an integer");
      }
      if (key == "offset")
        offset = v;
      else
        length = v;
    }
  }
  ASSIGN_OR_RETURN(auto path, resolve_external_path(model_dir, location));
  return read_external_bytes(path, offset, length, byte_size, allocate);
}

// A 4-bit tensor: its (n + 1) / 2 packed bytes come from raw_data, external data or int32_data
// (one packed byte per value) and are unpacked to one element per byte.
Status decode_4bit(const TensorProto& proto, const std::filesystem::path& model_dir, int64_t n,
                   Tensor& t) {
  const int64_t packed_size = (n + 1) / 2;
  std::vector<uint8_t> packed;
  if (proto.data_location() == TensorProto::EXTERNAL) {
    RETURN_IF_ERROR(read_external(proto, model_dir, packed_size, [&packed, packed_size] {
      packed.resize(static_cast<size_t>(packed_size));
      return static_cast<void*>(packed.data());
    }));
  } else if (proto.has_raw_data()) {
    const std::string& raw = proto.raw_data();
    if (static_cast<int64_t>(raw.size()) != packed_size) {
      return invalid_argument("raw_data has " + std::to_string(raw.size()) + " bytes, " +
                              std::to_string(n) + " packed 4-bit values need " +
                              std::to_string(packed_size));
    }
    packed.assign(raw.begin(), raw.end());
  } else {
    const auto& field = proto.int32_data();
    if (static_cast<int64_t>(field.size()) != packed_size) {
      return invalid_argument("int32_data has " + std::to_string(field.size()) + " values, " +
                              std::to_string(n) + " packed 4-bit values need " +
                              std::to_string(packed_size));
    }
    packed.reserve(static_cast<size_t>(packed_size));
    for (int32_t v : field) packed.push_back(static_cast<uint8_t>(v));
  }
  t = Tensor::allocate(t.dtype(), t.shape());
  unpack_4bit(t.dtype(), packed, static_cast<uint8_t*>(t.mutable_raw_data()),
              static_cast<size_t>(n));
  return Status::ok_status();
}

}  // namespace

Result<DataType> dtype_from_onnx(int32_t onnx_type) {
  if (auto dt = dtype_from_onnx_code(onnx_type)) return *dt;
  return unimplemented("ONNX element type " + onnx_type_name(onnx_type) + " is not supported");
}

Result<Tensor> decode_tensor(const TensorProto& proto, const std::filesystem::path& model_dir) {
  if (!proto.has_data_type()) return invalid_argument("tensor has no data_type");
  ASSIGN_OR_RETURN(DataType dtype, dtype_from_onnx(proto.data_type()));
  if (proto.has_segment()) return unimplemented("segmented tensors are not supported");
  Shape shape(proto.dims().begin(), proto.dims().end());
  ASSIGN_OR_RETURN(int64_t n, checked_num_elements(shape, dtype_size(dtype)));
  const int64_t byte_size = n * static_cast<int64_t>(dtype_size(dtype));

  // Buffers are allocated only once the data is known to be there: a model must not be able to
  // ask for memory its bytes do not back. Until then `t` is a shape-only placeholder.
  Tensor t = Tensor::view(dtype, std::move(shape), nullptr, nullptr);
  if (dtype_is_4bit(dtype)) {
    RETURN_IF_ERROR(decode_4bit(proto, model_dir, n, t));
  } else if (proto.data_location() == TensorProto::EXTERNAL) {
    RETURN_IF_ERROR(read_external(proto, model_dir, byte_size, [&t] {
      t = Tensor::allocate(t.dtype(), t.shape());
      return t.mutable_raw_data();
    }));
  } else if (proto.has_raw_data()) {
    const std::string& raw = proto.raw_data();
    if (static_cast<int64_t>(raw.size()) != byte_size) {
      return invalid_argument("raw_data has " + std::to_string(raw.size()) +
                              " bytes, the shape needs " + std::to_string(byte_size));
    }
    t = Tensor::allocate(dtype, t.shape());
    // ONNX raw_data is little-endian, as is every host this engine targets.
    if (byte_size > 0) std::memcpy(t.mutable_raw_data(), raw.data(), raw.size());
  } else {
    RETURN_IF_ERROR(copy_typed_fields(proto, n, t));
  }
  return t;
}

}  // namespace modelhost::engine::onnx_import
