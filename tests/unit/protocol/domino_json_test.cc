// Domino Model API request decoding and response encoding.
#include "protocol/domino_json.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "test_models.h"

namespace modelhost::protocol {
namespace {

namespace json = boost::json;
using engine::DataType;
using engine::Tensor;
using testing::simple_model;
using testing::two_input_model;
using testing::typed_model;

void expect_error(std::string_view body, const serving::ModelInfo& info,
                  std::string_view substring) {
  auto r = decode_domino_request(body, info);
  ASSERT_FALSE(r.ok()) << "decoded but should fail: " << body;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(substring), std::string::npos)
      << "message: " << r.status().message() << "\nexpected: " << substring;
}

TEST(DominoDecodeTest, BatchedNestedArrays) {
  auto info = two_input_model();
  auto r = decode_domino_request(
      R"({"data":{"b":[[1,2,3,4],[5,6,7,8]],"a":[[0.5,1,1.5,2],[3,4,5,6]]}})", info);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_FALSE(r->unbatched);
  EXPECT_EQ(r->batch_rows, 2);
  EXPECT_EQ(r->inputs[0].shape(), (engine::Shape{2, 4}));
  EXPECT_EQ(r->inputs[0].to_vector<float>()[1], 1.0f);
  EXPECT_EQ(r->inputs[1].dtype(), DataType::kInt32);
  EXPECT_EQ(r->inputs[1].to_vector<int32_t>()[7], 8);
}

TEST(DominoDecodeTest, UnbatchedSingleExample) {
  auto info = two_input_model();
  auto r = decode_domino_request(R"({"data":{"a":[1,2,3,4],"b":[5,6,7,8]}})", info);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE(r->unbatched);
  EXPECT_EQ(r->batch_rows, 1);
  EXPECT_EQ(r->inputs[0].shape(), (engine::Shape{1, 4}));
  EXPECT_EQ(r->inputs[1].shape(), (engine::Shape{1, 4}));

  // A rank-1 input takes a bare scalar as one example.
  auto scalar = typed_model(DataType::kFloat64, {-1});
  auto rs = decode_domino_request(R"({"data":{"x":2.5}})", scalar);
  ASSERT_TRUE(rs.ok()) << rs.status().to_string();
  EXPECT_TRUE(rs->unbatched);
  EXPECT_EQ(rs->inputs[0].shape(), (engine::Shape{1}));
  EXPECT_EQ(rs->inputs[0].to_vector<double>()[0], 2.5);
}

TEST(DominoDecodeTest, SingleInputModelTakesDataDirectly) {
  auto info = simple_model();
  std::string row = "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]";
  auto r = decode_domino_request(R"({"data":)" + row + "}", info);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE(r->unbatched);
  EXPECT_EQ(r->inputs[0].shape(), (engine::Shape{1, 16}));
}

TEST(DominoDecodeTest, LegacyPositionalParameters) {
  auto info = two_input_model();
  auto r = decode_domino_request(R"({"parameters":[[1,2,3,4],[5,6,7,8]]})", info);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->inputs[1].to_vector<int32_t>()[0], 5);
  expect_error(R"({"parameters":[[1,2,3,4]]})", info, "\"parameters\" has 1 values");
}

TEST(DominoDecodeTest, ElementPolicy) {
  auto f = typed_model(DataType::kFloat32, {-1});
  auto r = decode_domino_request(R"({"data":{"x":["NaN","-Infinity",-0.0,1]}})", f);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  auto v = r->inputs[0].to_vector<float>();
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_EQ(v[1], -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::signbit(v[2]));
  EXPECT_EQ(v[3], 1.0f);

  auto h = typed_model(DataType::kFloat16, {-1});
  auto rh = decode_domino_request(R"({"data":{"x":[1,-2,0.5,65504,6e-8]}})", h);
  ASSERT_TRUE(rh.ok()) << rh.status().to_string();
  EXPECT_EQ(rh->inputs[0].to_vector<uint16_t>(),
            (std::vector<uint16_t>{0x3C00, 0xC000, 0x3800, 0x7BFF, 0x0001}));
  expect_error(R"({"data":{"x":[1e6]}})", h, "out of range for FP16");

  auto bf = typed_model(DataType::kBFloat16, {-1});
  auto rb = decode_domino_request(R"({"data":{"x":[1,-2.5]}})", bf);
  ASSERT_TRUE(rb.ok()) << rb.status().to_string();
  EXPECT_EQ(rb->inputs[0].to_vector<uint16_t>(), (std::vector<uint16_t>{0x3F80, 0xC020}));

  auto b = typed_model(DataType::kBool, {-1});
  auto rbool = decode_domino_request(R"({"data":{"x":[true,false,1]}})", b);
  ASSERT_TRUE(rbool.ok()) << rbool.status().to_string();
  EXPECT_EQ(static_cast<const uint8_t*>(rbool->inputs[0].raw_data())[2], 1);
}

TEST(DominoDecodeTest, Errors) {
  auto info = two_input_model();
  expect_error(R"({"inputs":{"a":[1,2,3,4]}})", info, "request has no \"data\" object");
  expect_error(R"([1,2])", info, "must be a JSON object");
  expect_error(R"({"data":[1,2,3,4]})", info, "\"data\" must be an object");
  expect_error(R"({"data":{"a":[1,2,3,4],"b":[1,2,3,4],"c":[1]}})", info,
               "unknown input \"c\"; the model's inputs are: a, b");
  expect_error(R"({"data":{"a":[1,2,3,4]}})", info, "missing input \"b\"");
  auto dup = decode_domino_request(R"({"data":{"a":[1,2,3,4],"b":[1,2,3,4],"a":[1,2,3,4]}})", info);
  EXPECT_FALSE(dup.ok() && dup->inputs[0].shape() != (engine::Shape{1, 4}));
  expect_error(R"({"data":{"a":[[1,2],[3]],"b":[1,2,3,4]}})", info, "ragged");
  expect_error(R"({"data":{"a":[[1,2,3,4],[5,6,7]],"b":[[1,2,3,4],[5,6,7,8]]}})", info, "ragged");
  expect_error(R"({"data":{"a":[[1,2,3,4],5],"b":[1,2,3,4]}})", info, "ragged");
  expect_error(R"({"data":{"a":[1,2,"x",4],"b":[1,2,3,4]}})", info,
               "input \"a\": data element 2 is \"x\", expected a number");
  expect_error(R"({"data":{"a":[1,2,3,4],"b":[1,2,3.5,4]}})", info,
               "input \"b\": data element 2 is 3.5, expected an integer for INT32");
  expect_error(R"({"data":{"a":[1,2,3,4],"b":[1,2,true,4]}})", info, "expected an integer");
  expect_error(R"({"data":{"a":[1,2,3],"b":[1,2,3,4]}})", info,
               "input \"a\": expected shape [-1,4], got [1,3]");
  expect_error(R"({"data":{"a":[[[1,2,3,4]]],"b":[1,2,3,4]}})", info,
               "expected an array of rank 2");
  expect_error(R"({"data":{"a":[1,2,3,4],"b":[[1,2,3,4]]}})", info,
               "send every input the same way");
  expect_error(R"({"data":{"a":[[1,2,3,4],[1,2,3,4]],"b":[[1,2,3,4]]}})", info,
               "batch size 1 differs");
  expect_error(R"({"data":{"a":[],"b":[]}})", info, "expected shape [-1,4], got [1,0]");
  std::string five = "[[1,2,3,4],[1,2,3,4],[1,2,3,4],[1,2,3,4],[1,2,3,4]]";
  expect_error(R"({"data":{"a":)" + five + R"(,"b":)" + five + "}}", info,
               "batch size 5 exceeds the model's max batch size 4");
  expect_error(R"({"data":{"a":[1,2,3,4],"b":[1,2,3,4]})", info, "not valid JSON");
  std::string deep = R"({"data":{"a":)" + std::string(150, '[') + std::string(150, ']') + "}}";
  expect_error(deep, info, "nested too deeply");
}

TEST(DominoEncodeTest, BatchedResponse) {
  auto info = two_input_model();
  info.config.version = "2";
  DominoRequest req;
  req.batch_rows = 2;
  std::vector<Tensor> outs = {Tensor::from_vector<float>({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8.5f}),
                              Tensor::from_vector<bool>({2, 4}, {1, 0, 0, 0, 0, 0, 0, 1})};
  std::string body = encode_domino_response(info, req, outs, 1.25, "req-1");
  EXPECT_EQ(body, R"({"result":{"sum":[[1,2,3,4],[5,6,7,8.5]],"mask":[[true,false,false,false],)"
                  R"([false,false,false,true]]},"model_time_in_ms":1.25,"request_id":"req-1",)"
                  R"("release":{"model_version":"2","harness_version":"modelhost-0.1"}})");
  EXPECT_NO_THROW(json::parse(body));
}

TEST(DominoEncodeTest, UnbatchedRoundTrip) {
  auto info = typed_model(DataType::kFloat32, {-1, 2, 2});
  auto r = decode_domino_request(R"({"data":{"x":[[1,"NaN"],["-Infinity",-0.0]]}})", info);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE(r->unbatched);
  EXPECT_EQ(r->inputs[0].shape(), (engine::Shape{1, 2, 2}));
  std::string body = encode_domino_response(info, *r, r->inputs, 0.5, "id");
  json::value v = json::parse(body);
  EXPECT_EQ(json::serialize(v.at("result").at("y")), R"([[1,"NaN"],["-Infinity",-0E0]])");
  EXPECT_NE(body.find(R"("y":[[1,"NaN"],["-Infinity",-0.0]])"), std::string::npos) << body;
  EXPECT_EQ(v.at("model_time_in_ms"), 0.5);
  EXPECT_EQ(v.at("release").at("model_version"), "1");
}

TEST(DominoEncodeTest, ScalarOutputAndHalfPrecision) {
  auto info = typed_model(DataType::kFloat16, {-1});
  auto r = decode_domino_request(R"({"data":{"x":0.5}})", info);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  std::string body = encode_domino_response(info, *r, r->inputs, 0.0, "");
  EXPECT_NE(body.find(R"("result":{"y":0.5})"), std::string::npos) << body;
}

}  // namespace
}  // namespace modelhost::protocol
