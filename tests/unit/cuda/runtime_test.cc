// Device selection and the runtime wrappers. The parsing tests run everywhere; the rest need a GPU.
#include "engine/cuda/runtime.h"

#include <gtest/gtest.h>

#include "cuda/cuda_test_util.h"
#include "engine/cuda/gemm.h"

namespace modelhost::engine::cuda {
namespace {

TEST(CudaDeviceTest, ParsesTheDeviceFlag) {
  EXPECT_EQ(*parse_device("cpu"), -1);
  for (const char* bad : {"gpu", "cuda:", "cuda:-1", "cuda:x", "cuda:0x"}) {
    auto r = parse_device(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("--device must be cpu or cuda:N"), std::string::npos);
  }
  std::string why;
  const int n = device_count(&why);
  auto beyond = parse_device("cuda:" + std::to_string(n));
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.status().code(), StatusCode::kFailedPrecondition);
  if (n == 0) {
    EXPECT_NE(beyond.status().message().find("this machine has no usable CUDA device"),
              std::string::npos)
        << beyond.status().message();
  } else {
    EXPECT_EQ(*parse_device("cuda:0"), 0);
  }
}

TEST(CudaDeviceTest, ParsesThePrecisionFlag) {
  EXPECT_EQ(*parse_precision("fp32"), Precision::kFp32);
  EXPECT_EQ(*parse_precision("tf32"), Precision::kTf32);
  EXPECT_EQ(*parse_precision("fp16"), Precision::kFp16);
  EXPECT_EQ(*parse_precision("bf16"), Precision::kBf16);
  auto bad = parse_precision("fp8");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("fp32, tf32, fp16 or bf16, got \"fp8\""),
            std::string::npos);
}

TEST(CudaRuntimeTest, DeviceInfoStreamsAndTheArena) {
  MODELHOST_REQUIRE_GPU();
  auto info = device_info(0);
  ASSERT_TRUE(info.ok()) << info.status().to_string();
  EXPECT_GT(info->multiprocessors, 0);
  EXPECT_GT(info->memory_bytes, size_t{1} << 30);
  EXPECT_EQ(info->uuid.rfind("GPU-", 0), 0u);
  auto stream = Stream::create(0);
  ASSERT_TRUE(stream.ok());
  DeviceArena arena(0, 1 << 20);
  auto a = arena.allocate(100);
  auto b = arena.allocate(3 << 20);  // bigger than a chunk: a chunk of its own
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(*a) % 256, 0u);
  EXPECT_EQ(arena.reserved_bytes(), (size_t{1} << 20) + (size_t{3} << 20));
  arena.reset();
  EXPECT_EQ(arena.used_bytes(), 0u);
  auto again = arena.allocate(100);  // reuses the first chunk: no new cudaMalloc
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *a);
  EXPECT_EQ(arena.reserved_bytes(), (size_t{1} << 20) + (size_t{3} << 20));
  auto pinned = PinnedBuffer::allocate(4096);
  ASSERT_TRUE(pinned.ok());
  EXPECT_NE(pinned->data(), nullptr);
}

}  // namespace
}  // namespace modelhost::engine::cuda
