// Multi-head attention for the BERT pattern, on the device: out = softmax(Q K^T * scale + mask) V
// per batch and head, with Q, K, V and out laid out [batch, heads, seq, head_dim] (row-major) and
// an additive key mask [batch, seq] (or none). Two strided-batched cuBLASLt GEMMs around the
// scaled, masked softmax kernel; `scores` is scratch of batch * heads * seq * seq floats.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "common/status.h"
#include "engine/cuda/gemm.h"

namespace modelhost::engine::cuda {

struct AttentionArgs {
  int64_t batch = 1, heads = 1, seq = 1, head_dim = 1;
  const float* q = nullptr;
  const float* k = nullptr;
  const float* v = nullptr;
  const float* mask = nullptr;  // [batch, seq], additive; may be null
  float* scores = nullptr;      // scratch
  float* out = nullptr;
  float scale = 0;  // 0: 1 / sqrt(head_dim)
};

Status attention_f32(LtGemm& gemm, const AttentionArgs& args, Precision precision,
                     cudaStream_t stream);

}  // namespace modelhost::engine::cuda
