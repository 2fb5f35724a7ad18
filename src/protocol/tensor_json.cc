#include "protocol/tensor_json.h"

#include "common/text.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "protocol/datatype.h"
#include "protocol/json_parse.h"
#include "protocol/json_write.h"

namespace modelhost::protocol {
namespace {

namespace json = boost::json;
using engine::DataType;

// ---- FP16 / BF16 bit conversions (round to nearest even) ----

uint16_t float_to_half(float value) {
  uint32_t f = std::bit_cast<uint32_t>(value);
  const uint32_t sign = f & 0x80000000u;
  f ^= sign;
  uint16_t h;
  if (f >= (143u << 23)) {  // >= 65536 or Inf/NaN
    h = f > (255u << 23) ? 0x7E00 : 0x7C00;
  } else if (f < (113u << 23)) {  // half subnormal or zero: let the FPU round
    const uint32_t magic_bits = ((127 - 15) + (23 - 10) + 1) << 23;
    float magic = std::bit_cast<float>(magic_bits);
    float sum = std::bit_cast<float>(f) + magic;
    h = static_cast<uint16_t>(std::bit_cast<uint32_t>(sum) - magic_bits);
  } else {
    uint32_t mant_odd = (f >> 13) & 1;
    f += (static_cast<uint32_t>(15 - 127) << 23) + 0xFFF + mant_odd;
    h = static_cast<uint16_t>(f >> 13);
  }
  return static_cast<uint16_t>(h | (sign >> 16));
}

float half_to_float(uint16_t h) {
  const uint32_t shifted_exp = 0x7C00u << 13;
  uint32_t o = (h & 0x7FFFu) << 13;
  uint32_t exp = o & shifted_exp;
  o += (127u - 15u) << 23;
  if (exp == shifted_exp) {
    o += (128u - 16u) << 23;  // Inf / NaN
  } else if (exp == 0) {
    o += 1u << 23;  // zero / subnormal: renormalize
    o = std::bit_cast<uint32_t>(std::bit_cast<float>(o) - std::bit_cast<float>(113u << 23));
  }
  o |= static_cast<uint32_t>(h & 0x8000u) << 16;
  return std::bit_cast<float>(o);
}

uint16_t float_to_bf16(float value) {
  uint32_t f = std::bit_cast<uint32_t>(value);
  if (std::isnan(value)) return static_cast<uint16_t>((f >> 16) | 0x40);
  f += 0x7FFF + ((f >> 16) & 1);
  return static_cast<uint16_t>(f >> 16);
}

float bf16_to_float(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

// ---- JSON scalar -> element ----

enum class Conv { kOk, kNotNumber, kNotInteger, kOutOfRange, kNotBool };


bool special_float(std::string_view s, double& out) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (ascii_iequals(s, "nan")) {
    out = std::numeric_limits<double>::quiet_NaN();
  } else if (ascii_iequals(s, "inf") || ascii_iequals(s, "infinity")) {
    out = std::numeric_limits<double>::infinity();
  } else {
    return false;
  }
  if (negative) out = -out;
  return true;
}

bool as_real(const json::value& v, double& out) {
  switch (v.kind()) {
    case json::kind::double_:
      out = v.get_double();
      return true;
    case json::kind::int64:
      out = static_cast<double>(v.get_int64());
      return true;
    case json::kind::uint64:
      out = static_cast<double>(v.get_uint64());
      return true;
    case json::kind::string: {
      const json::string& s = v.get_string();
      return special_float(std::string_view(s.data(), s.size()), out);
    }
    default:
      return false;
  }
}

// Element codecs: Storage is what the tensor buffer holds.
template <typename T>
struct Codec {  // integers
  using Storage = T;
  static Conv read(const json::value& v, Storage& out) {
    using Lim = std::numeric_limits<T>;
    switch (v.kind()) {
      case json::kind::int64: {
        int64_t i = v.get_int64();
        if constexpr (std::is_unsigned_v<T>) {
          if (i < 0 || static_cast<uint64_t>(i) > Lim::max()) return Conv::kOutOfRange;
        } else {
          if (i < Lim::min() || i > Lim::max()) return Conv::kOutOfRange;
        }
        out = static_cast<T>(i);
        return Conv::kOk;
      }
      case json::kind::uint64: {
        uint64_t u = v.get_uint64();
        if (u > static_cast<uint64_t>(Lim::max())) return Conv::kOutOfRange;
        out = static_cast<T>(u);
        return Conv::kOk;
      }
      case json::kind::double_: {
        // 3.0 and 1e3 are integers; beyond 2^53 a double no longer says which integer was meant.
        double d = v.get_double();
        if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > 9007199254740992.0)
          return Conv::kNotInteger;
        if (d < static_cast<double>(Lim::min()) || d > static_cast<double>(Lim::max()))
          return Conv::kOutOfRange;
        if constexpr (std::is_unsigned_v<T>) {
          out = static_cast<T>(static_cast<uint64_t>(d));
        } else {
          out = static_cast<T>(static_cast<int64_t>(d));
        }
        return Conv::kOk;
      }
      default:
        return Conv::kNotNumber;
    }
  }
  static void write(std::string& out, Storage v) {
    if constexpr (std::is_unsigned_v<T>) {
      json_append_uint(out, v);
    } else {
      json_append_int(out, v);
    }
  }
};

template <>
struct Codec<float> {
  using Storage = float;
  static Conv read(const json::value& v, Storage& out) {
    double d;
    if (!as_real(v, d)) return Conv::kNotNumber;
    out = static_cast<float>(d);
    if (std::isinf(out) && std::isfinite(d)) return Conv::kOutOfRange;
    return Conv::kOk;
  }
  static void write(std::string& out, Storage v) { json_append_float(out, v); }
};

template <>
struct Codec<double> {
  using Storage = double;
  static Conv read(const json::value& v, Storage& out) {
    return as_real(v, out) ? Conv::kOk : Conv::kNotNumber;
  }
  static void write(std::string& out, Storage v) { json_append_double(out, v); }
};

struct HalfTag {};
struct BFloat16Tag {};

template <>
struct Codec<HalfTag> {
  using Storage = uint16_t;
  static Conv read(const json::value& v, Storage& out) {
    float f;
    Conv c = Codec<float>::read(v, f);
    if (c != Conv::kOk) return c;
    out = float_to_half(f);
    if ((out & 0x7FFF) == 0x7C00 && std::isfinite(f)) return Conv::kOutOfRange;
    return Conv::kOk;
  }
  static void write(std::string& out, Storage v) { json_append_float(out, half_to_float(v)); }
};

template <>
struct Codec<BFloat16Tag> {
  using Storage = uint16_t;
  static Conv read(const json::value& v, Storage& out) {
    float f;
    Conv c = Codec<float>::read(v, f);
    if (c != Conv::kOk) return c;
    out = float_to_bf16(f);
    if ((out & 0x7FFF) == 0x7F80 && std::isfinite(f)) return Conv::kOutOfRange;
    return Conv::kOk;
  }
  static void write(std::string& out, Storage v) { json_append_float(out, bf16_to_float(v)); }
};

template <>
struct Codec<bool> {
  using Storage = uint8_t;  // 0 or 1; never read a bool object from client bytes
  static Conv read(const json::value& v, Storage& out) {
    switch (v.kind()) {
      case json::kind::bool_:
        out = v.get_bool() ? 1 : 0;
        return Conv::kOk;
      case json::kind::int64:
        if (v.get_int64() == 0 || v.get_int64() == 1) {
          out = static_cast<uint8_t>(v.get_int64());
          return Conv::kOk;
        }
        return Conv::kNotBool;
      case json::kind::uint64:
        if (v.get_uint64() <= 1) {
          out = static_cast<uint8_t>(v.get_uint64());
          return Conv::kOk;
        }
        return Conv::kNotBool;
      default:
        return Conv::kNotBool;
    }
  }
  static void write(std::string& out, Storage v) { json_append_bool(out, v != 0); }
};

template <typename T>
struct Tag {
  using type = T;
};

template <typename F>
decltype(auto) visit_dtype(DataType dt, F&& f) {
  switch (dt) {
    case DataType::kFloat32:
      return f(Tag<float>{});
    case DataType::kFloat64:
      return f(Tag<double>{});
    case DataType::kFloat16:
      return f(Tag<HalfTag>{});
    case DataType::kBFloat16:
      return f(Tag<BFloat16Tag>{});
    case DataType::kInt8:
      return f(Tag<int8_t>{});
    case DataType::kInt16:
      return f(Tag<int16_t>{});
    case DataType::kInt32:
      return f(Tag<int32_t>{});
    case DataType::kInt64:
      return f(Tag<int64_t>{});
    case DataType::kUInt8:
      return f(Tag<uint8_t>{});
    case DataType::kUInt16:
      return f(Tag<uint16_t>{});
    case DataType::kUInt32:
      return f(Tag<uint32_t>{});
    case DataType::kUInt64:
      return f(Tag<uint64_t>{});
    case DataType::kBool:
      return f(Tag<bool>{});
    default:  // kUndefined and the narrow types, which JSON does not carry
      break;
  }
  return f(Tag<void>{});
}

Status element_error(Conv c, std::string_view what, int64_t index, const json::value& v,
                     DataType dt) {
  std::string msg(what);
  msg += ": data element " + std::to_string(index) + " is " + json_snippet(v);
  std::string type(oip_name(dt));
  bool floating = dt == DataType::kFloat32 || dt == DataType::kFloat64 ||
                  dt == DataType::kFloat16 || dt == DataType::kBFloat16;
  switch (c) {
    case Conv::kNotNumber:
      msg += floating ? ", expected a number (or \"NaN\", \"Infinity\", \"-Infinity\") for " + type
                      : ", expected an integer for " + type;
      break;
    case Conv::kNotInteger:
      msg += ", expected an integer for " + type;
      break;
    case Conv::kOutOfRange:
      msg += ", which is out of range for " + type;
      break;
    case Conv::kNotBool:
      msg += ", expected true or false for BOOL";
      break;
    case Conv::kOk:
      break;
  }
  return invalid_argument(std::move(msg));
}

template <typename T>
struct Filler {
  using Storage = typename Codec<T>::Storage;
  Storage* dst;
  int64_t index = 0;
  std::string_view what;
  DataType dt;

  Status walk(const json::value& v) {
    if (!v.is_array()) return put(v);
    for (const json::value& e : v.get_array()) {
      if (e.is_array()) {
        RETURN_IF_ERROR(walk(e));
      } else {
        RETURN_IF_ERROR(put(e));
      }
    }
    return Status();
  }

  Status put(const json::value& v) {
    Conv c = Codec<T>::read(v, dst[index]);
    if (c != Conv::kOk) [[unlikely]]
      return element_error(c, what, index, v, dt);
    ++index;
    return Status();
  }
};

template <typename T>
void append_nested_rec(std::string& out, const typename Codec<T>::Storage* data,
                       std::span<const int64_t> shape, size_t dim, int64_t& index) {
  if (dim == shape.size()) {
    Codec<T>::write(out, data[index++]);
    return;
  }
  out += '[';
  for (int64_t i = 0; i < shape[dim]; ++i) {
    if (i) out += ',';
    append_nested_rec<T>(out, data, shape, dim + 1, index);
  }
  out += ']';
}

}  // namespace

int64_t json_count_scalars(const json::value& v) {
  if (!v.is_array()) return 1;
  const json::array& a = v.get_array();
  int64_t n = 0;
  for (const json::value& e : a) n += e.is_array() ? json_count_scalars(e) : 1;
  return n;
}

Status json_fill_tensor(const json::value& v, engine::Tensor& out, std::string_view what) {
  return visit_dtype(out.dtype(), [&]<typename T>(Tag<T>) -> Status {
    if constexpr (std::is_void_v<T>) {
      return invalid_argument(std::string(what) + ": undefined element type");
    } else {
      using Storage = typename Codec<T>::Storage;
      Filler<T> filler{static_cast<Storage*>(out.mutable_raw_data()), 0, what, out.dtype()};
      return filler.walk(v);
    }
  });
}

void json_append_flat(std::string& out, const engine::Tensor& t) {
  visit_dtype(t.dtype(), [&]<typename T>(Tag<T>) {
    out += '[';
    if constexpr (!std::is_void_v<T>) {
      using Storage = typename Codec<T>::Storage;
      const auto* data = static_cast<const Storage*>(t.raw_data());
      int64_t n = t.num_elements();
      out.reserve(out.size() + static_cast<size_t>(n) * 12 + 2);
      for (int64_t i = 0; i < n; ++i) {
        if (i) out += ',';
        Codec<T>::write(out, data[i]);
      }
    }
    out += ']';
  });
}

void json_append_nested(std::string& out, const engine::Tensor& t, std::span<const int64_t> shape) {
  visit_dtype(t.dtype(), [&]<typename T>(Tag<T>) {
    if constexpr (std::is_void_v<T>) {
      out += "null";
    } else {
      using Storage = typename Codec<T>::Storage;
      int64_t index = 0;
      if (t.num_elements() == 0 && shape.empty()) {
        out += "null";
        return;
      }
      append_nested_rec<T>(out, static_cast<const Storage*>(t.raw_data()), shape, 0, index);
    }
  });
}

}  // namespace modelhost::protocol
