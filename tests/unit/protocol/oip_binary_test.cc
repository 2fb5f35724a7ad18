// Binary tensor extension: binary inputs (views into the body), mixed requests, raw binary
// requests, the Inference-Header-Content-Length header.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "protocol/oip_json.h"
#include "test_models.h"

namespace modelhost::protocol {
namespace {

using engine::DataType;
using testing::bytes_of;
using testing::simple_model;
using testing::two_input_model;
using testing::typed_model;

// A body kept in a shared buffer, the way the HTTP layer hands it over.
struct Body {
  std::shared_ptr<std::string> storage;
  size_t header_length;
  std::string_view view() const { return *storage; }
};

Body make_body(std::string header, std::string tail) {
  Body b;
  b.header_length = header.size();
  b.storage = std::make_shared<std::string>(std::move(header) + std::move(tail));
  return b;
}

Result<OipInferRequest> decode(const Body& b, const serving::ModelInfo& info) {
  return decode_infer_request(b.view(), b.header_length, info, b.storage);
}

std::vector<float> iota16(float start) {
  std::vector<float> v(16);
  for (int i = 0; i < 16; ++i) v[i] = start + static_cast<float>(i);
  return v;
}

TEST(OipBinaryTest, BinaryInputIsViewedWhenAligned) {
  auto info = simple_model();
  // Pad the header with spaces so the binary data starts 4-byte aligned within the buffer.
  std::string header =
      R"({"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"FP32","parameters":{"binary_data_size":64}}]})";
  while (header.size() % 16 != 0) header += ' ';
  Body b = make_body(header, bytes_of(iota16(1.0f)));
  ASSERT_EQ(reinterpret_cast<uintptr_t>(b.storage->data()) % 16, 0u);
  auto r = decode(b, info);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  const engine::Tensor& t = r->inputs[0];
  EXPECT_EQ(t.raw_data(), b.storage->data() + b.header_length) << "expected a zero-copy view";
  EXPECT_EQ(t.to_vector<float>(), iota16(1.0f));
  // The tensor keeps the body alive.
  std::weak_ptr<std::string> weak = b.storage;
  b.storage.reset();
  EXPECT_FALSE(weak.expired());
  EXPECT_EQ(t.to_vector<float>()[15], 16.0f);
}

TEST(OipBinaryTest, MisalignedBinaryInputIsCopied) {
  auto info = simple_model();
  std::string header =
      R"({"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"FP32","parameters":{"binary_data_size":64}}]})";
  while (header.size() % 4 != 1) header += ' ';
  Body b = make_body(header, bytes_of(iota16(-3.0f)));
  auto r = decode(b, info);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  const engine::Tensor& t = r->inputs[0];
  EXPECT_NE(t.raw_data(), b.storage->data() + b.header_length);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw_data()) % 4, 0u);
  EXPECT_EQ(t.to_vector<float>(), iota16(-3.0f));
}

TEST(OipBinaryTest, MixedJsonAndBinaryInputsInRequestOrder) {
  auto info = two_input_model();
  std::vector<int32_t> ints = {1, 2, 3, 4, 5, 6, 7, 8};
  std::string header = R"({"inputs":[
      {"name":"b","shape":[2,4],"datatype":"INT32","parameters":{"binary_data_size":32}},
      {"name":"a","shape":[2,4],"datatype":"FP32","data":[[1,2,3,4],[5,6,7,8]]}],
      "outputs":[{"name":"sum","parameters":{"binary_data":true}},{"name":"mask"}]})";
  Body b = make_body(header, bytes_of(ints));
  auto r = decode(b, info);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->inputs[1].to_vector<int32_t>(), ints);
  EXPECT_EQ(r->inputs[0].to_vector<float>()[4], 5.0f);
  EXPECT_EQ(r->batch_rows, 2);
}

TEST(OipBinaryTest, TwoBinaryInputsFollowInputsOrder) {
  auto info = two_input_model();
  std::vector<int32_t> ints = {9, 8, 7, 6};
  std::vector<float> floats = {0.5f, 1.5f, 2.5f, 3.5f};
  std::string header = R"({"inputs":[
      {"name":"b","shape":[1,4],"datatype":"INT32","parameters":{"binary_data_size":16}},
      {"name":"a","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":16}}]})";
  Body b = make_body(header, bytes_of(ints) + bytes_of(floats));
  auto r = decode(b, info);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->inputs[0].to_vector<float>(), floats);
  EXPECT_EQ(r->inputs[1].to_vector<int32_t>(), ints);
}

TEST(OipBinaryTest, HalfPrecisionTravelsBinary) {
  auto info = typed_model(DataType::kFloat16, {2});
  std::vector<uint16_t> halves = {0x3C00, 0xC000};  // 1.0, -2.0
  Body b = make_body(
      R"({"inputs":[{"name":"x","shape":[2],"datatype":"FP16","parameters":{"binary_data_size":4}}],
          "outputs":[{"name":"y","parameters":{"binary_data":false}}]})",
      bytes_of(halves));
  auto r = decode(b, info);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->inputs[0].to_vector<uint16_t>(), halves);
  ASSERT_EQ(r->outputs.size(), 1u);
  EXPECT_TRUE(r->outputs[0].binary) << "FP16 outputs have no JSON form";
}

TEST(OipBinaryTest, Errors) {
  auto info = simple_model();
  auto expect_error = [&](std::string header, std::string tail, std::string_view substring,
                          const serving::ModelInfo& model) {
    Body b = make_body(std::move(header), std::move(tail));
    auto r = decode(b, model);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(substring), std::string::npos) << r.status().message();
  };
  std::string h64 =
      R"({"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"FP32","parameters":{"binary_data_size":64}}]})";
  expect_error(h64, std::string(60, '\0'),
               "binary data for input \"INPUT0\" (64 bytes) extends beyond the request body", info);
  expect_error(h64, std::string(70, '\0'), "6 bytes after the JSON and binary data", info);
  expect_error(
      R"({"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"FP32","parameters":{"binary_data_size":60}}]})",
      std::string(60, '\0'), "binary_data_size is 60 bytes but FP32 [1,16] needs 64", info);
  expect_error(
      R"({"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"FP32","parameters":{"binary_data_size":-4}}]})",
      "", "binary_data_size must be a non-negative integer", info);
  expect_error(
      R"({"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"FP32","parameters":{"binary_data_size":"64"}}]})",
      std::string(64, '\0'), "binary_data_size must be a non-negative integer", info);
  auto b = typed_model(DataType::kBool, {3});
  expect_error(
      R"({"inputs":[{"name":"x","shape":[3],"datatype":"BOOL","parameters":{"binary_data_size":3}}]})",
      std::string("\x01\x00\x07", 3), "BOOL binary data byte 2 is 7, expected 0 or 1", b);

  // Without the header the whole body is JSON, so trailing bytes are not valid JSON.
  std::string body = h64 + std::string(64, '\0');
  auto r = decode_infer_request(body, std::nullopt, info, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not valid JSON"), std::string::npos);
  // A header length beyond the body.
  auto r2 = decode_infer_request(h64, h64.size() + 1, info, nullptr);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.status().message().find("exceeds the request body size"), std::string::npos);
}

TEST(OipBinaryTest, RawBinaryRequest) {
  auto info = simple_model();
  auto body = std::make_shared<std::string>(bytes_of(iota16(2.0f)));
  auto r = decode_infer_request(*body, 0, info, body);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->inputs[0].shape(), (engine::Shape{1, 16}));
  EXPECT_EQ(r->inputs[0].to_vector<float>(), iota16(2.0f));
  EXPECT_EQ(r->batch_rows, 1);
  ASSERT_EQ(r->outputs.size(), 1u);
  EXPECT_TRUE(r->outputs[0].binary);

  auto var = typed_model(DataType::kInt32, {-1});
  std::string ints = bytes_of(std::vector<int32_t>{1, 2, 3});
  auto rv = decode_infer_request(ints, 0, var, nullptr);
  ASSERT_TRUE(rv.ok()) << rv.status().to_string();
  EXPECT_EQ(rv->inputs[0].shape(), (engine::Shape{3}));

  auto wrong = decode_infer_request(std::string(60, '\0'), 0, info, nullptr);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("needs 64"), std::string::npos)
      << wrong.status().message();
  auto two = decode_infer_request(std::string(16, '\0'), 0, two_input_model(), nullptr);
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.status().message().find("not supported"), std::string::npos);
  auto two_var = decode_infer_request(std::string(16, '\0'), 0,
                                      typed_model(DataType::kFloat32, {-1, -1}), nullptr);
  ASSERT_FALSE(two_var.ok());
  EXPECT_NE(two_var.status().message().find("more than one variable dimension"), std::string::npos);
  auto partial = decode_infer_request(std::string(6, '\0'), 0, var, nullptr);
  ASSERT_FALSE(partial.ok());
  EXPECT_NE(partial.status().message().find("not a whole number"), std::string::npos);
}

TEST(OipBinaryTest, ParseHeaderLength) {
  auto ok = parse_header_length("123", 200);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 123u);
  EXPECT_EQ(*parse_header_length("0", 0), 0u);
  EXPECT_EQ(*parse_header_length(" 7 ", 7), 7u);
  for (std::string_view bad : {"", "-1", "12a", "+5", "0x10", "1.5", "99999999999999999999999"}) {
    auto r = parse_header_length(bad, 1u << 30);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("Inference-Header-Content-Length"), std::string::npos);
  }
  auto big = parse_header_length("2147483648", size_t{1} << 40);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("too large"), std::string::npos);
  auto beyond = parse_header_length("201", 200);
  ASSERT_FALSE(beyond.ok());
  EXPECT_NE(beyond.status().message().find("\"201\""), std::string::npos);
  EXPECT_NE(beyond.status().message().find("exceeds the request body size (200 bytes)"),
            std::string::npos);
}

}  // namespace
}  // namespace modelhost::protocol
