// ModelInfo fixtures shared by the protocol tests.
#pragma once

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "serving/types.h"

namespace modelhost::protocol::testing {

using engine::DataType;

// INPUT0 FP32 [-1,16] -> OUTPUT0 FP32 [-1,16], batching up to 8.
inline serving::ModelInfo simple_model(int max_batch_size = 8) {
  serving::ModelInfo info;
  info.config.name = "simple";
  info.config.max_batch_size = max_batch_size;
  info.config.batch_delay_us = 100;
  info.signature.inputs = {{"INPUT0", DataType::kFloat32, {-1, 16}}};
  info.signature.outputs = {{"OUTPUT0", DataType::kFloat32, {-1, 16}}};
  info.signature.batchable = true;
  return info;
}

// a FP32 [-1,4], b INT32 [-1,4] -> sum FP32 [-1,4], mask BOOL [-1,4]; batching up to 4.
inline serving::ModelInfo two_input_model(int max_batch_size = 4) {
  serving::ModelInfo info;
  info.config.name = "pair";
  info.config.max_batch_size = max_batch_size;
  info.signature.inputs = {{"a", DataType::kFloat32, {-1, 4}}, {"b", DataType::kInt32, {-1, 4}}};
  info.signature.outputs = {{"sum", DataType::kFloat32, {-1, 4}},
                            {"mask", DataType::kBool, {-1, 4}}};
  info.signature.batchable = true;
  return info;
}

// One input `x` of the given type and shape, no batching; output `y` the same.
inline serving::ModelInfo typed_model(DataType dt, engine::Shape shape) {
  serving::ModelInfo info;
  info.config.name = "typed";
  info.config.max_batch_size = 0;
  info.signature.inputs = {{"x", dt, shape}};
  info.signature.outputs = {{"y", dt, shape}};
  return info;
}

template <typename T>
std::string bytes_of(const std::vector<T>& v) {
  std::string s(v.size() * sizeof(T), '\0');
  if (!v.empty()) std::memcpy(s.data(), v.data(), s.size());
  return s;
}

}  // namespace modelhost::protocol::testing
