// Infer response encoding and request -> response round trips.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "protocol/oip_json.h"
#include "test_models.h"

namespace modelhost::protocol {
namespace {

namespace json = boost::json;
using engine::DataType;
using engine::Tensor;
using testing::bytes_of;
using testing::simple_model;
using testing::two_input_model;
using testing::typed_model;

OipInferRequest all_outputs(const serving::ModelInfo& info, bool binary) {
  OipInferRequest req;
  for (size_t i = 0; i < info.signature.outputs.size(); ++i) {
    req.outputs.push_back({static_cast<int>(i), binary});
  }
  return req;
}

TEST(OipEncodeTest, JsonResponse) {
  auto info = two_input_model();
  OipInferRequest req = all_outputs(info, false);
  req.id = "req-\"7\"";
  std::vector<Tensor> outs = {Tensor::from_vector<float>({1, 4}, {0.1f, -2.0f, 3.5f, 1e20f}),
                              Tensor::from_vector<bool>({1, 4}, {true, false, true, true})};
  EncodedBody e = encode_infer_response(info, req, outs);
  EXPECT_EQ(e.content_type, "application/json");
  EXPECT_FALSE(e.header_length.has_value());
  EXPECT_EQ(e.body,
            R"({"id":"req-\"7\"","model_name":"pair","model_version":"1","outputs":[)"
            R"({"name":"sum","datatype":"FP32","shape":[1,4],"data":[0.1,-2,3.5,1e+20]},)"
            R"({"name":"mask","datatype":"BOOL","shape":[1,4],"data":[true,false,true,true]}]})");
  json::value v = json::parse(e.body);
  EXPECT_FALSE(v.at("outputs").at(0).as_object().contains("parameters"))
      << "JSON-data outputs must not carry parameters";
}

TEST(OipEncodeTest, NoIdWhenRequestHadNone) {
  auto info = simple_model();
  OipInferRequest req = all_outputs(info, false);
  std::vector<Tensor> outs = {Tensor::from_vector<float>({1, 16}, std::vector<float>(16, 1.0f))};
  json::value v = json::parse(encode_infer_response(info, req, outs).body);
  EXPECT_FALSE(v.as_object().contains("id"));
  EXPECT_EQ(v.at("model_name"), "simple");
}

TEST(OipEncodeTest, BinaryAndMixedOutputs) {
  auto info = two_input_model();
  OipInferRequest req;
  req.outputs = {{1, true}, {0, false}};
  std::vector<float> sum = {1, 2, 3, 4};
  std::vector<Tensor> outs = {Tensor::from_vector<float>({1, 4}, sum),
                              Tensor::from_vector<bool>({1, 4}, {true, false, false, true})};
  EncodedBody e = encode_infer_response(info, req, outs);
  EXPECT_EQ(e.content_type, "application/octet-stream");
  ASSERT_TRUE(e.header_length.has_value());
  std::string_view header(e.body.data(), *e.header_length);
  json::value v = json::parse(header);
  const json::array& o = v.at("outputs").as_array();
  EXPECT_EQ(o[0].at("name"), "mask");
  EXPECT_EQ(o[0].at("parameters").at("binary_data_size"), 4);
  EXPECT_FALSE(o[0].as_object().contains("data"));
  EXPECT_EQ(o[1].at("name"), "sum");
  EXPECT_EQ(o[1].at("data").as_array().size(), 4u);
  EXPECT_EQ(e.body.size(), *e.header_length + 4);
  EXPECT_EQ(e.body.substr(*e.header_length), std::string("\x01\x00\x00\x01", 4));

  req.outputs = {{0, true}, {1, true}};
  EncodedBody both = encode_infer_response(info, req, outs);
  EXPECT_EQ(both.body.substr(*both.header_length),
            bytes_of(sum) + std::string("\x01\x00\x00\x01", 4));
}

TEST(OipEncodeTest, NanInfPolicyOnOutput) {
  auto info = typed_model(DataType::kFloat32, {5});
  OipInferRequest req = all_outputs(info, false);
  std::vector<Tensor> outs = {Tensor::from_vector<float>(
      {5}, {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
            -std::numeric_limits<float>::infinity(), -0.0f, 0.0f})};
  EncodedBody e = encode_infer_response(info, req, outs);
  EXPECT_NE(e.body.find(R"("data":["NaN","Infinity","-Infinity",-0.0,0])"), std::string::npos)
      << e.body;
  EXPECT_NO_THROW(json::parse(e.body));
}

TEST(OipEncodeTest, IntegerAndDoubleFormatting) {
  auto i64 = typed_model(DataType::kInt64, {2});
  std::vector<Tensor> outs = {Tensor::from_vector<int64_t>(
      {2}, {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()})};
  EXPECT_NE(encode_infer_response(i64, all_outputs(i64, false), outs)
                .body.find("[-9223372036854775808,9223372036854775807]"),
            std::string::npos);
  auto f64 = typed_model(DataType::kFloat64, {2});
  std::vector<Tensor> d = {Tensor::from_vector<double>({2}, {0.1, 1.0 / 3.0})};
  EXPECT_NE(
      encode_infer_response(f64, all_outputs(f64, false), d).body.find("[0.1,0.3333333333333333]"),
      std::string::npos);
}

TEST(OipEncodeTest, EscapesNames) {
  auto info = typed_model(DataType::kFloat32, {1});
  info.config.name = "we\"ird\\\n\x01name";
  info.signature.outputs[0].name = "out\tput";
  OipInferRequest req = all_outputs(info, false);
  std::vector<Tensor> outs = {Tensor::from_vector<float>({1}, {1.0f})};
  EncodedBody e = encode_infer_response(info, req, outs);
  json::value v = json::parse(e.body);
  EXPECT_EQ(v.at("model_name").as_string(), info.config.name);
  EXPECT_EQ(v.at("outputs").at(0).at("name"), "out\tput");
}

// ---- round trips: decode a request, echo its inputs as outputs, decode what the client sees ----

struct Echo {
  serving::ModelInfo info;
  OipInferRequest req;
  EncodedBody enc;
};

Echo echo(const serving::ModelInfo& info, std::string_view body,
          std::optional<uint64_t> header_length = std::nullopt) {
  Echo e{info, {}, {}};
  auto r = decode_infer_request(body, header_length, info, nullptr);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  if (!r.ok()) return e;
  e.req = std::move(r).value();
  e.enc = encode_infer_response(info, e.req, e.req.inputs);
  return e;
}

TEST(OipRoundTripTest, JsonFlatAndNested) {
  auto info = simple_model();
  std::vector<float> values;
  std::string flat = "[";
  std::string nested = "[[";
  for (int i = 0; i < 32; ++i) {
    float f = static_cast<float>(i) * 0.1f - 1.0f;
    values.push_back(f);
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof buf, f);
    std::string s(buf, res.ptr);
    flat += (i ? "," : "") + s;
    nested += (i == 16 ? "],[" : (i ? "," : "")) + s;
  }
  flat += "]";
  nested += "]]";
  for (const std::string& data : {flat, nested}) {
    std::string body =
        R"({"id":"x","inputs":[{"name":"INPUT0","shape":[2,16],"datatype":"FP32","data":)" + data +
        "}]}";
    Echo e = echo(info, body);
    json::value v = json::parse(e.enc.body);
    EXPECT_EQ(v.at("id"), "x");
    const json::value& out = v.at("outputs").at(0);
    EXPECT_EQ(out.at("shape"), json::parse("[2,16]"));
    const json::array& d = out.at("data").as_array();
    ASSERT_EQ(d.size(), 32u);
    for (size_t i = 0; i < 32; ++i) {
      EXPECT_EQ(static_cast<float>(d[i].to_number<double>()), values[i]) << i;
    }
  }
}

TEST(OipRoundTripTest, BinaryInBinaryOut) {
  auto info = simple_model();
  std::vector<float> values(48);
  for (size_t i = 0; i < values.size(); ++i) values[i] = std::sin(static_cast<float>(i));
  std::string header =
      R"({"inputs":[{"name":"INPUT0","shape":[3,16],"datatype":"FP32","parameters":{"binary_data_size":192}}],)"
      R"("outputs":[{"name":"OUTPUT0","parameters":{"binary_data":true}}]})";
  std::string body = header + bytes_of(values);
  Echo e = echo(info, body, header.size());
  ASSERT_TRUE(e.enc.header_length.has_value());
  EXPECT_EQ(e.enc.body.substr(*e.enc.header_length), bytes_of(values));
  json::value v = json::parse(std::string_view(e.enc.body).substr(0, *e.enc.header_length));
  EXPECT_EQ(v.at("outputs").at(0).at("parameters").at("binary_data_size"), 192);
  EXPECT_EQ(v.at("outputs").at(0).at("shape"), json::parse("[3,16]"));
}

TEST(OipRoundTripTest, JsonToleratesEveryFloat32Exactly) {
  auto info = typed_model(DataType::kFloat32, {-1});
  std::vector<float> values = {std::numeric_limits<float>::min(),
                               std::numeric_limits<float>::max(),
                               std::numeric_limits<float>::denorm_min(),
                               -std::numeric_limits<float>::max(),
                               0.1f,
                               1.0f / 3.0f,
                               16777217.0f,
                               -0.0f,
                               std::numeric_limits<float>::infinity()};
  OipInferRequest req = all_outputs(info, false);
  std::vector<Tensor> outs = {
      Tensor::from_vector<float>({static_cast<int64_t>(values.size())}, values)};
  EncodedBody enc = encode_infer_response(info, req, outs);
  json::value v = json::parse(enc.body);
  std::string request = R"({"inputs":[{"name":"x","datatype":"FP32","shape":[)" +
                        std::to_string(values.size()) + R"(],"data":)" +
                        json::serialize(v.at("outputs").at(0).at("data")) + "}]}";
  auto back = decode_infer_request(request, std::nullopt, info, nullptr);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  auto got = back->inputs[0].to_vector<float>();
  ASSERT_EQ(got.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(std::memcmp(&got[i], &values[i], 4), 0) << i << ": " << got[i];
  }
}

TEST(OipRoundTripTest, Fp64ShortestTextReadsBackExactly) {
  auto info = typed_model(DataType::kFloat64, {-1});
  std::vector<double> values;
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (int i = 0; i < 2000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    double d;
    uint64_t bits = x & ~(0x7FFull << 52);
    bits |= static_cast<uint64_t>((x >> 20) % 2000 + 23) << 52;  // finite, broad exponent range
    std::memcpy(&d, &bits, 8);
    values.push_back(d);
  }
  OipInferRequest req = all_outputs(info, false);
  std::vector<Tensor> outs = {
      Tensor::from_vector<double>({static_cast<int64_t>(values.size())}, values)};
  EncodedBody enc = encode_infer_response(info, req, outs);
  size_t start = enc.body.find("\"data\":") + 7;
  size_t end = enc.body.rfind("}]}");
  std::string request = R"({"inputs":[{"name":"x","datatype":"FP64","shape":[)" +
                        std::to_string(values.size()) + R"(],"data":)" +
                        enc.body.substr(start, end - start) + "}]}";
  auto back = decode_infer_request(request, std::nullopt, info, nullptr);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(back->inputs[0].to_vector<double>(), values);
}

// Decode + encode of a 16-float JSON request should take a few microseconds. Reported, not
// asserted tightly: a debug or sanitizer build is much slower.
TEST(OipPerfTest, SixteenFloatsDecodeEncode) {
  auto info = simple_model();
  std::string body =
      R"({"id":"42","inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"FP32","data":[0.5,1.25,2,3,4,5,6,7,8,9,10,11,12,13,14,15.5]}]})";
  constexpr int kIters = 20000;
  size_t total = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kIters; ++i) {
    auto r = decode_infer_request(body, std::nullopt, info, nullptr);
    EncodedBody e = encode_infer_response(info, *r, r->inputs);
    total += e.body.size();
  }
  double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() /
      kIters;
  std::printf("decode+encode of a 16-float JSON request: %.2f us\n", us);
  EXPECT_GT(total, 0u);
  EXPECT_LT(us, 1000.0);
}

}  // namespace
}  // namespace modelhost::protocol
