// Server/model metadata, model config and statistics JSON, checked field by field the way
// perf_analyzer and tritonclient read them.
#include "protocol/oip_metadata.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "test_models.h"

namespace modelhost::protocol {
namespace {

namespace json = boost::json;
using engine::DataType;
using testing::simple_model;
using testing::two_input_model;
using testing::typed_model;

TEST(OipMetadataTest, ServerMetadata) {
  std::vector<std::string_view> ext = {"binary_tensor_data", "model_configuration", "statistics"};
  json::value v = json::parse(encode_server_metadata("0.1.0", ext));
  EXPECT_EQ(v.at("name"), "modelhost");
  EXPECT_EQ(v.at("version"), "0.1.0");
  ASSERT_TRUE(v.at("extensions").is_array());
  EXPECT_EQ(v.at("extensions"),
            json::parse(R"(["binary_tensor_data","model_configuration","statistics"])"));
  json::value none = json::parse(encode_server_metadata("1", {}));
  EXPECT_TRUE(none.at("extensions").as_array().empty());
}

TEST(OipMetadataTest, ModelMetadataBatchedHasLeadingMinusOne) {
  auto info = simple_model(8);
  info.signature.inputs[0].shape = {-1, 3, -1};
  json::value v = json::parse(encode_model_metadata(info));
  EXPECT_EQ(v.at("name"), "simple");
  EXPECT_EQ(v.at("versions"), json::parse(R"(["1"])"));
  EXPECT_EQ(v.at("platform"), "onnx");
  const json::value& in = v.at("inputs").at(0);
  EXPECT_EQ(in.at("name"), "INPUT0");
  EXPECT_EQ(in.at("datatype"), "FP32");
  EXPECT_EQ(in.at("shape"), json::parse("[-1,3,-1]"));
  EXPECT_EQ(v.at("outputs").at(0).at("shape"), json::parse("[-1,16]"));
}

TEST(OipMetadataTest, ModelMetadataUnbatchedKeepsSignatureShapes) {
  auto info = typed_model(DataType::kInt64, {2, -1});
  json::value v = json::parse(encode_model_metadata(info));
  EXPECT_EQ(v.at("inputs").at(0).at("shape"), json::parse("[2,-1]"));
  EXPECT_EQ(v.at("inputs").at(0).at("datatype"), "INT64");
  // A batched model whose leading dim was reported as a symbol still shows -1.
  auto batched = typed_model(DataType::kFloat32, {1, 4});
  batched.config.max_batch_size = 2;
  json::value b = json::parse(encode_model_metadata(batched));
  EXPECT_EQ(b.at("inputs").at(0).at("shape"), json::parse("[-1,4]"));
}

TEST(OipMetadataTest, ModelConfigBatched) {
  auto info = two_input_model(4);
  info.config.batch_delay_us = 250;
  json::value v = json::parse(encode_model_config(info));
  const json::object& c = v.as_object();
  EXPECT_EQ(c.at("name"), "pair");
  EXPECT_EQ(c.at("platform"), "onnx");
  EXPECT_EQ(c.at("backend"), "modelhost");
  ASSERT_TRUE(c.at("max_batch_size").is_int64()) << "perf_analyzer reads an integer";
  EXPECT_EQ(c.at("max_batch_size"), 4);
  const json::array& in = c.at("input").as_array();
  ASSERT_EQ(in.size(), 2u);
  EXPECT_EQ(in[0].at("name"), "a");
  EXPECT_EQ(in[0].at("data_type"), "TYPE_FP32");
  EXPECT_EQ(in[0].at("format"), "FORMAT_NONE");
  EXPECT_EQ(in[0].at("dims"), json::parse("[4]"));
  EXPECT_EQ(in[0].at("is_shape_tensor"), false);
  EXPECT_EQ(in[0].at("optional"), false);
  EXPECT_EQ(in[0].at("allow_ragged_batch"), false);
  EXPECT_FALSE(in[0].as_object().contains("reshape"));
  EXPECT_EQ(in[1].at("name"), "b");
  EXPECT_EQ(in[1].at("data_type"), "TYPE_INT32");
  const json::array& out = c.at("output").as_array();
  EXPECT_EQ(out[1].at("name"), "mask");
  EXPECT_EQ(out[1].at("data_type"), "TYPE_BOOL");
  EXPECT_EQ(out[1].at("dims"), json::parse("[4]"));
  EXPECT_EQ(c.at("dynamic_batching").at("max_queue_delay_microseconds"), 250);
  EXPECT_TRUE(c.at("dynamic_batching").at("preferred_batch_size").as_array().empty());
  const json::value& group = c.at("instance_group").at(0);
  EXPECT_EQ(group.at("kind"), "KIND_CPU");
  EXPECT_EQ(group.at("count"), 1);
  EXPECT_TRUE(group.at("gpus").as_array().empty());
  EXPECT_TRUE(group.at("name").is_string());
  EXPECT_EQ(c.at("version_policy").at("latest").at("num_versions"), 1);
  EXPECT_EQ(c.at("model_transaction_policy").at("decoupled"), false);
  EXPECT_EQ(c.at("response_cache").at("enable"), false);
  EXPECT_EQ(c.at("default_model_filename"), "model.onnx");
  EXPECT_TRUE(c.at("parameters").as_object().empty());
  EXPECT_FALSE(c.contains("sequence_batching"));

  // perf_analyzer: every config input name must appear in the metadata.
  json::value meta = json::parse(encode_model_metadata(info));
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(in[i].at("name"), meta.at("inputs").at(i).at("name"));
  }
}

TEST(OipMetadataTest, ModelConfigUnbatched) {
  auto info = typed_model(DataType::kUInt8, {2, -1});
  json::value v = json::parse(encode_model_config(info));
  EXPECT_EQ(v.at("max_batch_size"), 0);
  EXPECT_EQ(v.at("input").at(0).at("dims"), json::parse("[2,-1]"));
  EXPECT_EQ(v.at("input").at(0).at("data_type"), "TYPE_UINT8");
  EXPECT_FALSE(v.as_object().contains("dynamic_batching"));
}

TEST(OipMetadataTest, ModelStats) {
  auto a = simple_model();
  auto b = two_input_model();
  b.config.version = "3";
  serving::ModelStatistics sa;
  sa.last_inference_ms = 1700000000123;
  sa.inference_count = 10;
  sa.execution_count = 4;
  sa.success = {10, 5000};
  sa.queue = {10, 700};
  sa.compute_infer = {4, 4000};
  sa.batch_stats[1].compute_infer = {2, 1000};
  sa.batch_stats[4].compute_input = {2, 30};
  std::vector<std::pair<const serving::ModelInfo*, serving::ModelStatistics>> models = {
      {&a, sa}, {&b, serving::ModelStatistics{}}};
  json::value v = json::parse(encode_model_stats(models));
  const json::array& ms = v.at("model_stats").as_array();
  ASSERT_EQ(ms.size(), 2u);
  const json::value& s = ms[0];
  EXPECT_EQ(s.at("name"), "simple");
  EXPECT_EQ(s.at("version"), "1");
  EXPECT_EQ(s.at("last_inference"), 1700000000123);
  EXPECT_EQ(s.at("inference_count"), 10);
  EXPECT_EQ(s.at("execution_count"), 4);
  const json::value& is = s.at("inference_stats");
  for (const char* k : {"success", "fail", "queue", "compute_input", "compute_infer",
                        "compute_output", "cache_hit", "cache_miss"}) {
    ASSERT_TRUE(is.as_object().contains(k)) << k;
    EXPECT_TRUE(is.at(k).at("count").is_number()) << k;
    EXPECT_TRUE(is.at(k).at("ns").is_number()) << k;
  }
  EXPECT_EQ(is.at("success").at("ns"), 5000);
  EXPECT_EQ(is.at("queue").at("count"), 10);
  const json::array& bs = s.at("batch_stats").as_array();
  ASSERT_EQ(bs.size(), 2u);
  EXPECT_EQ(bs[0].at("batch_size"), 1);
  EXPECT_EQ(bs[0].at("compute_infer").at("ns"), 1000);
  EXPECT_EQ(bs[1].at("batch_size"), 4);
  EXPECT_EQ(bs[1].at("compute_input").at("count"), 2);
  EXPECT_TRUE(s.at("memory_usage").as_array().empty());
  EXPECT_TRUE(s.at("response_stats").as_object().empty());
  EXPECT_EQ(ms[1].at("version"), "3");
  EXPECT_EQ(ms[1].at("inference_stats").at("queue").at("count"), 0);

  json::value empty = json::parse(encode_model_stats({}));
  EXPECT_TRUE(empty.at("model_stats").as_array().empty());
}

}  // namespace
}  // namespace modelhost::protocol
