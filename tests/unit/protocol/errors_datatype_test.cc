#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "protocol/datatype.h"
#include "protocol/errors.h"

namespace modelhost::protocol {
namespace {

using engine::DataType;

TEST(ErrorsTest, ErrorBodyIsValidEscapedJson) {
  EXPECT_EQ(error_body("plain"), R"({"error":"plain"})");
  std::string nasty = "quote\" backslash\\ newline\n tab\t ctl\x01 utf8 \xc3\xa9 bad \xff\xc3 end";
  boost::json::value v = boost::json::parse(error_body(nasty));
  std::string got(v.at("error").as_string());
  EXPECT_EQ(
      got,
      "quote\" backslash\\ newline\n tab\t ctl\x01 utf8 \xc3\xa9 bad \xef\xbf\xbd\xef\xbf\xbd end");
}

TEST(DatatypeTest, OipNames) {
  const std::pair<const char*, DataType> cases[] = {
      {"BOOL", DataType::kBool},     {"UINT8", DataType::kUInt8},   {"UINT16", DataType::kUInt16},
      {"UINT32", DataType::kUInt32}, {"UINT64", DataType::kUInt64}, {"INT8", DataType::kInt8},
      {"INT16", DataType::kInt16},   {"INT32", DataType::kInt32},   {"INT64", DataType::kInt64},
      {"FP16", DataType::kFloat16},  {"FP32", DataType::kFloat32},  {"FP64", DataType::kFloat64},
      {"BF16", DataType::kBFloat16},
  };
  for (const auto& [name, dt] : cases) {
    EXPECT_EQ(dtype_from_oip(name), dt) << name;
    EXPECT_EQ(oip_name(dt), name);
    EXPECT_EQ(config_type_name(dt), std::string("TYPE_") + name);
  }
  EXPECT_FALSE(dtype_from_oip("BYTES").has_value());
  EXPECT_TRUE(is_bytes_datatype("BYTES"));
  EXPECT_FALSE(dtype_from_oip("fp32").has_value());
  EXPECT_EQ(oip_name(DataType::kUndefined), "");
}

}  // namespace
}  // namespace modelhost::protocol
