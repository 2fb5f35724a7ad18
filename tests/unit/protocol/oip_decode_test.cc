// Infer request decoding: JSON data, validation errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "protocol/oip_json.h"
#include "test_models.h"

namespace modelhost::protocol {
namespace {

using engine::DataType;
using testing::simple_model;
using testing::two_input_model;
using testing::typed_model;

Result<OipInferRequest> decode(std::string_view body, const serving::ModelInfo& info,
                               DecodeLimits limits = {}) {
  return decode_infer_request(body, std::nullopt, info, nullptr, limits);
}

std::string sixteen(std::string_view first = "0") {
  std::string s = "[";
  s += first;
  for (int i = 1; i < 16; ++i) s += "," + std::to_string(i);
  return s + "]";
}

void expect_error(std::string_view body, const serving::ModelInfo& info, std::string_view substring,
                  StatusCode code = StatusCode::kInvalidArgument) {
  auto r = decode(body, info);
  ASSERT_FALSE(r.ok()) << "body decoded but should fail: " << body;
  EXPECT_EQ(r.status().code(), code) << r.status().to_string();
  EXPECT_NE(r.status().message().find(substring), std::string::npos)
      << "message: " << r.status().message() << "\nexpected substring: " << substring;
}

TEST(OipDecodeTest, FlatJsonRequest) {
  auto info = simple_model();
  std::string body = R"({"id":"r1","inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"FP32",
      "data":)" + sixteen("0.5") +
                     "}]}";
  auto r = decode(body, info);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->id, "r1");
  EXPECT_EQ(r->batch_rows, 1);
  ASSERT_EQ(r->inputs.size(), 1u);
  EXPECT_EQ(r->inputs[0].dtype(), DataType::kFloat32);
  EXPECT_EQ(r->inputs[0].shape(), (engine::Shape{1, 16}));
  auto v = r->inputs[0].to_vector<float>();
  EXPECT_EQ(v[0], 0.5f);
  EXPECT_EQ(v[15], 15.0f);
  ASSERT_EQ(r->outputs.size(), 1u);
  EXPECT_EQ(r->outputs[0].index, 0);
  EXPECT_FALSE(r->outputs[0].binary);
  EXPECT_FALSE(r->timeout_us.has_value());
}

TEST(OipDecodeTest, NestedJsonDataIsFlattened) {
  auto info = simple_model();
  std::string body = R"({"inputs":[{"name":"INPUT0","shape":[2,16],"datatype":"FP32","data":[)" +
                     sixteen() + "," + sixteen("100") + "]}]}";
  auto r = decode(body, info);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->batch_rows, 2);
  auto v = r->inputs[0].to_vector<float>();
  ASSERT_EQ(v.size(), 32u);
  EXPECT_EQ(v[16], 100.0f);
  EXPECT_EQ(v[31], 15.0f);
}

TEST(OipDecodeTest, DeeplyNestedDataWithinLimit) {
  auto info = typed_model(DataType::kInt64, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
  std::string body = R"({"inputs":[{"name":"x","shape":[1,1,1,1,1,1,1,1,1,1],"datatype":"INT64",
      "data":[[[[[[[[[[7]]]]]]]]]]}]})";
  auto r = decode(body, info);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->inputs[0].to_vector<int64_t>()[0], 7);
}

TEST(OipDecodeTest, TwoInputsInAnyOrderLandInSignatureOrder) {
  auto info = two_input_model();
  std::string body = R"({"inputs":[
      {"name":"b","shape":[2,4],"datatype":"INT32","data":[1,2,3,4,5,6,7,-8]},
      {"name":"a","shape":[2,4],"datatype":"FP32","data":[1,2,3,4,5,6,7,8.25]}],
      "outputs":[{"name":"mask"},{"name":"sum","parameters":{"binary_data":true}}],
      "model_name":"pair","parameters":{"timeout":2500,"content_type":"np","priority":1}})";
  auto r = decode(body, info);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->inputs[0].dtype(), DataType::kFloat32);
  EXPECT_EQ(r->inputs[0].to_vector<float>()[7], 8.25f);
  EXPECT_EQ(r->inputs[1].dtype(), DataType::kInt32);
  EXPECT_EQ(r->inputs[1].to_vector<int32_t>()[7], -8);
  EXPECT_EQ(r->batch_rows, 2);
  EXPECT_EQ(r->timeout_us, 2500);
  ASSERT_EQ(r->outputs.size(), 2u);
  EXPECT_EQ(r->outputs[0].index, 1);
  EXPECT_FALSE(r->outputs[0].binary);
  EXPECT_EQ(r->outputs[1].index, 0);
  EXPECT_TRUE(r->outputs[1].binary);
}

TEST(OipDecodeTest, BinaryDataOutputDefaultAndOverride) {
  auto info = two_input_model();
  std::string inputs = R"("inputs":[
      {"name":"a","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]},
      {"name":"b","shape":[1,4],"datatype":"INT32","data":[1,2,3,4]}])";
  auto all = decode("{" + inputs + R"(,"parameters":{"binary_data_output":true}})", info);
  ASSERT_TRUE(all.ok()) << all.status().to_string();
  ASSERT_EQ(all->outputs.size(), 2u);
  EXPECT_TRUE(all->outputs[0].binary);
  EXPECT_TRUE(all->outputs[1].binary);

  auto mixed = decode("{" + inputs + R"(,"parameters":{"binary_data_output":true},
      "outputs":[{"name":"sum","parameters":{"binary_data":false}},{"name":"mask"}]})",
                      info);
  ASSERT_TRUE(mixed.ok()) << mixed.status().to_string();
  EXPECT_FALSE(mixed->outputs[0].binary);
  EXPECT_TRUE(mixed->outputs[1].binary);

  auto empty_list = decode("{" + inputs + R"(,"outputs":[]})", info);
  ASSERT_TRUE(empty_list.ok());
  EXPECT_EQ(empty_list->outputs.size(), 2u);
}

TEST(OipDecodeTest, ElementConversions) {
  auto f = typed_model(DataType::kFloat32, {3});
  auto r =
      decode(R"({"inputs":[{"name":"x","shape":[3],"datatype":"FP32","data":[1,-2,3e2]}]})", f);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->inputs[0].to_vector<float>(), (std::vector<float>{1.0f, -2.0f, 300.0f}));

  auto i8 = typed_model(DataType::kInt8, {4});
  auto r8 = decode(
      R"({"inputs":[{"name":"x","shape":[4],"datatype":"INT8","data":[-128,127,3.0,0]}]})", i8);
  ASSERT_TRUE(r8.ok()) << r8.status().to_string();
  EXPECT_EQ(r8->inputs[0].to_vector<int8_t>(), (std::vector<int8_t>{-128, 127, 3, 0}));

  auto u64 = typed_model(DataType::kUInt64, {2});
  auto ru = decode(
      R"({"inputs":[{"name":"x","shape":[2],"datatype":"UINT64","data":[18446744073709551615,0]}]})",
      u64);
  ASSERT_TRUE(ru.ok()) << ru.status().to_string();
  EXPECT_EQ(ru->inputs[0].to_vector<uint64_t>()[0], std::numeric_limits<uint64_t>::max());

  auto i64 = typed_model(DataType::kInt64, {2});
  auto r64 = decode(
      R"({"inputs":[{"name":"x","shape":[2],"datatype":"INT64","data":[-9223372036854775808,9223372036854775807]}]})",
      i64);
  ASSERT_TRUE(r64.ok()) << r64.status().to_string();
  EXPECT_EQ(r64->inputs[0].to_vector<int64_t>()[0], std::numeric_limits<int64_t>::min());
  EXPECT_EQ(r64->inputs[0].to_vector<int64_t>()[1], std::numeric_limits<int64_t>::max());

  auto b = typed_model(DataType::kBool, {4});
  auto rb = decode(
      R"({"inputs":[{"name":"x","shape":[4],"datatype":"BOOL","data":[true,false,1,0]}]})", b);
  ASSERT_TRUE(rb.ok()) << rb.status().to_string();
  const auto* bytes = static_cast<const uint8_t*>(rb->inputs[0].raw_data());
  EXPECT_EQ(bytes[0], 1);
  EXPECT_EQ(bytes[1], 0);
  EXPECT_EQ(bytes[2], 1);
  EXPECT_EQ(bytes[3], 0);
}

TEST(OipDecodeTest, Fp64IsCorrectlyRounded) {
  auto d = typed_model(DataType::kFloat64, {3});
  auto r = decode(
      R"({"inputs":[{"name":"x","shape":[3],"datatype":"FP64","data":[0.1,2.2250738585072014e-308,9007199254740993.5]}]})",
      d);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  auto v = r->inputs[0].to_vector<double>();
  EXPECT_EQ(v[0], 0.1);
  EXPECT_EQ(v[1], 2.2250738585072014e-308);
  EXPECT_EQ(v[2], 9007199254740994.0);
}

TEST(OipDecodeTest, NanInfPolicyOnInput) {
  auto f = typed_model(DataType::kFloat32, {7});
  auto r = decode(R"({"inputs":[{"name":"x","shape":[7],"datatype":"FP32",
      "data":["NaN","Infinity","-Infinity","inf","-inf","nan",-0.0]}]})",
                  f);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  auto v = r->inputs[0].to_vector<float>();
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_EQ(v[1], std::numeric_limits<float>::infinity());
  EXPECT_EQ(v[2], -std::numeric_limits<float>::infinity());
  EXPECT_EQ(v[3], std::numeric_limits<float>::infinity());
  EXPECT_EQ(v[4], -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(v[5]));
  EXPECT_EQ(v[6], 0.0f);
  EXPECT_TRUE(std::signbit(v[6]));

  // "-0" (an integer token) keeps its sign too.
  auto z = decode(
      R"({"inputs":[{"name":"x","shape":[7],"datatype":"FP32","data":[-0,0,0,0,0,0,0]}]})", f);
  ASSERT_TRUE(z.ok());
  EXPECT_TRUE(std::signbit(z->inputs[0].to_vector<float>()[0]));

  auto i = typed_model(DataType::kInt32, {1});
  expect_error(R"({"inputs":[{"name":"x","shape":[1],"datatype":"INT32","data":["NaN"]}]})", i,
               "expected an integer for INT32");
  expect_error(
      R"({"inputs":[{"name":"x","shape":[7],"datatype":"FP32","data":["NaN","x",1,1,1,1,1]}]})", f,
      "data element 1 is \"x\"");
}

// ---- errors ----

TEST(OipDecodeErrorTest, MalformedJson) {
  auto info = simple_model();
  expect_error("{\"inputs\":[", info, "ends early");
  expect_error("{\"inputs\":[}", info, "not valid JSON");
  expect_error("{} x", info, "unexpected data after the JSON");
  expect_error("", info, "not valid JSON");
  expect_error("{\"id\":\"\xff\xfe\",\"inputs\":[]}", info, "not valid JSON");
  expect_error("[1,2]", info, "must be a JSON object");
  expect_error("{}", info, "no \"inputs\"");
  expect_error("{\"inputs\":{}}", info, "\"inputs\" must be an array");
  expect_error("{\"inputs\":[]}", info, "\"inputs\" is empty; the model's inputs are: INPUT0");
  expect_error("{\"inputs\":[1]}", info, "inputs[0] must be an object");
  expect_error("{\"inputs\":[{\"shape\":[1,16]}]}", info, "inputs[0] has no \"name\"");
  expect_error("{\"id\":5,\"inputs\":[]}", info, "\"id\" must be a string");
  expect_error("{\"parameters\":[],\"inputs\":[]}", info, "\"parameters\" must be an object");
}

TEST(OipDecodeErrorTest, TooDeep) {
  auto info = simple_model();
  std::string body = R"({"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"FP32","data":)";
  body += std::string(200, '[') + "1" + std::string(200, ']') + "}]}";
  expect_error(body, info, "nested too deeply");
  DecodeLimits tight;
  tight.max_json_depth = 4;
  auto r = decode(R"({"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"FP32","data":[[)" +
                      sixteen() + "]]}]}",
                  info, tight);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nested too deeply"), std::string::npos);
}

TEST(OipDecodeErrorTest, InputNamesAndDuplicates) {
  auto info = two_input_model();
  expect_error(R"({"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]})",
               info, "unknown input \"x\"; the model's inputs are: a, b");
  expect_error(R"({"inputs":[{"name":"a","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]},
      {"name":"a","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]})",
               info, "input \"a\": appears more than once");
  expect_error(R"({"inputs":[{"name":"a","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]})",
               info, "missing input \"b\"");
}

TEST(OipDecodeErrorTest, Datatypes) {
  auto info = simple_model();
  expect_error(R"({"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"INT64","data":[]}]})",
               info, "input \"INPUT0\": expected datatype FP32, got INT64");
  expect_error(R"({"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"BYTES","data":[]}]})",
               info, "BYTES is not supported");
  expect_error(R"({"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"FLOAT","data":[]}]})",
               info, "unknown datatype \"FLOAT\"");
  expect_error(R"({"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":3,"data":[]}]})", info,
               "\"datatype\" must be a string");
  auto h = typed_model(DataType::kFloat16, {2});
  expect_error(R"({"inputs":[{"name":"x","shape":[2],"datatype":"FP16","data":[1,2]}]})", h,
               "FP16 is not supported in JSON; send it with binary_data_size");
  auto bf = typed_model(DataType::kBFloat16, {2});
  expect_error(R"({"inputs":[{"name":"x","shape":[2],"datatype":"BF16","data":[1,2]}]})", bf,
               "BF16 is not supported in JSON");
}

TEST(OipDecodeErrorTest, Shapes) {
  auto info = simple_model();
  auto with_shape = [](std::string shape) {
    return R"({"inputs":[{"name":"INPUT0","datatype":"FP32","data":[],"shape":)" + shape + "}]}";
  };
  expect_error(with_shape("[1,15]"), info, "input \"INPUT0\": expected shape [-1,16], got [1,15]");
  expect_error(with_shape("[16]"), info, "expected shape [-1,16], got [16]");
  expect_error(with_shape("[1,-16]"), info, "negative dimension");
  expect_error(with_shape("[1,1.5]"), info, "\"shape\" must be an array of integers");
  expect_error(with_shape("\"1,16\""), info, "\"shape\" must be an array of integers");
  expect_error(with_shape("[1,18446744073709551615]"), info, "too large");
  expect_error(with_shape("[9,16]"), info, "batch size 9 exceeds the model's max batch size 8");
  expect_error(with_shape("[0,16]"), info, "batch size 0 must be at least 1");

  auto free_dims = typed_model(DataType::kFloat32, {-1, -1, -1});
  expect_error(R"({"inputs":[{"name":"x","datatype":"FP32","data":[],
      "shape":[4294967296,4294967296,4294967296]}]})",
               free_dims, "too many elements");

  auto pair = two_input_model();
  expect_error(R"({"inputs":[{"name":"a","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]},
      {"name":"b","shape":[2,4],"datatype":"INT32","data":[1,2,3,4,5,6,7,8]}]})",
               pair, "input \"b\": batch size 2 differs from input \"a\"");
}

TEST(OipDecodeErrorTest, UnbatchedModelTakesShapeAsIs) {
  auto info = simple_model(/*max_batch_size=*/0);
  auto r = decode(R"({"inputs":[{"name":"INPUT0","shape":[20,16],"datatype":"FP32","data":)" +
                      [] {
                        std::string s = "[0";
                        for (int i = 1; i < 320; ++i) s += ",1";
                        return s + "]";
                      }() +
                      "}]}",
                  info);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->batch_rows, 1);
}

TEST(OipDecodeErrorTest, DataSource) {
  expect_error(R"({"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32"}]})",
               typed_model(DataType::kFloat32, {1, 4}),
               "set exactly one of \"data\" and \"parameters.binary_data_size\"");
  expect_error(R"({"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4],
      "parameters":{"binary_data_size":16}}]})",
               typed_model(DataType::kFloat32, {1, 4}), "set exactly one of");
  expect_error(R"({"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32",
      "parameters":{"shared_memory_region":"r0","shared_memory_byte_size":16}}]})",
               typed_model(DataType::kFloat32, {1, 4}), "shared memory is not supported");
  expect_error(R"({"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3]}]})",
               typed_model(DataType::kFloat32, {1, 4}),
               "input \"x\": data has 3 elements but shape [1,4] needs 4");
  expect_error(
      R"({"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[[1,2],[3,4,5]]}]})",
      typed_model(DataType::kFloat32, {1, 4}), "data has 5 elements");
  expect_error(R"({"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":1}]})",
               typed_model(DataType::kFloat32, {1}), "\"data\" must be an array");
  expect_error(
      R"({"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1],"parameters":3}]})",
      typed_model(DataType::kFloat32, {1}), "\"parameters\" must be an object");
}

TEST(OipDecodeErrorTest, ElementKinds) {
  auto f = typed_model(DataType::kFloat32, {2});
  expect_error(R"({"inputs":[{"name":"x","shape":[2],"datatype":"FP32","data":[1,true]}]})", f,
               "data element 1 is true, expected a number");
  expect_error(R"({"inputs":[{"name":"x","shape":[2],"datatype":"FP32","data":[1,null]}]})", f,
               "data element 1 is null");
  expect_error(R"({"inputs":[{"name":"x","shape":[2],"datatype":"FP32","data":[1,1e39]}]})", f,
               "out of range for FP32");
  auto i = typed_model(DataType::kInt32, {2});
  expect_error(R"({"inputs":[{"name":"x","shape":[2],"datatype":"INT32","data":[1,1.5]}]})", i,
               "data element 1 is 1.5, expected an integer for INT32");
  expect_error(R"({"inputs":[{"name":"x","shape":[2],"datatype":"INT32","data":[1,2147483648]}]})",
               i, "out of range for INT32");
  expect_error(R"({"inputs":[{"name":"x","shape":[2],"datatype":"INT32","data":[false,1]}]})", i,
               "data element 0 is false, expected an integer");
  auto u = typed_model(DataType::kUInt8, {2});
  expect_error(R"({"inputs":[{"name":"x","shape":[2],"datatype":"UINT8","data":[1,-1]}]})", u,
               "out of range for UINT8");
  expect_error(R"({"inputs":[{"name":"x","shape":[2],"datatype":"UINT8","data":[1,256]}]})", u,
               "out of range for UINT8");
  auto b = typed_model(DataType::kBool, {2});
  expect_error(R"({"inputs":[{"name":"x","shape":[2],"datatype":"BOOL","data":[true,2]}]})", b,
               "expected true or false for BOOL");
  expect_error(R"({"inputs":[{"name":"x","shape":[2],"datatype":"BOOL","data":[true,"true"]}]})", b,
               "expected true or false");
}

TEST(OipDecodeErrorTest, Outputs) {
  auto info = two_input_model();
  std::string inputs = R"("inputs":[
      {"name":"a","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]},
      {"name":"b","shape":[1,4],"datatype":"INT32","data":[1,2,3,4]}])";
  expect_error("{" + inputs + R"(,"outputs":[{"name":"y"}]})", info,
               "unknown output \"y\"; the model's outputs are: sum, mask");
  expect_error("{" + inputs + R"(,"outputs":[{"name":"sum"},{"name":"sum"}]})", info,
               "output \"sum\": is requested more than once");
  expect_error("{" + inputs + R"(,"outputs":[{"name":"sum","parameters":{"classification":3}}]})",
               info, "classification is not supported");
  expect_error("{" + inputs + R"(,"outputs":[{"name":"sum","parameters":{"binary_data":1}}]})",
               info, "binary_data must be true or false");
  expect_error(
      "{" + inputs + R"(,"outputs":[{"name":"sum","parameters":{"shared_memory_region":"r"}}]})",
      info, "shared memory is not supported");
  expect_error("{" + inputs + R"(,"outputs":{"name":"sum"}})", info,
               "\"outputs\" must be an array");
  expect_error("{" + inputs + R"(,"outputs":[{"nom":"sum"}]})", info, "outputs[0] has no \"name\"");
  expect_error("{" + inputs + R"(,"parameters":{"timeout":-1}})", info,
               "parameters.timeout must be a non-negative integer");
  expect_error("{" + inputs + R"(,"parameters":{"timeout":"5"}})", info, "parameters.timeout");
  expect_error("{" + inputs + R"(,"parameters":{"binary_data_output":"yes"}})", info,
               "binary_data_output must be true or false");
  // Ignored: unknown parameters and a zero classification (what tritonclient means by "none").
  auto ok = decode(
      "{" + inputs + R"(,"outputs":[{"name":"sum","parameters":{"classification":0,"x":1}}]})",
      info);
  EXPECT_TRUE(ok.ok()) << ok.status().to_string();
}

TEST(OipDecodeTest, NeverThrowsOnGarbage) {
  auto info = two_input_model();
  std::string seed = R"({"inputs":[{"name":"a","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]},
      {"name":"b","shape":[1,4],"datatype":"INT32","parameters":{"binary_data_size":16}}]})";
  for (size_t cut = 0; cut < seed.size(); ++cut) {
    std::string body = seed.substr(0, cut);
    EXPECT_FALSE(decode(body, info).ok());
    auto hl = decode_infer_request(body, body.size() / 2, info, nullptr);
    EXPECT_FALSE(hl.ok());
  }
}

}  // namespace
}  // namespace modelhost::protocol
