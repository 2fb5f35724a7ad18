#include "engine/ir/arena.h"

#include <gtest/gtest.h>

#include "engine/ir/tensor.h"
#include "engine/ir/tensor_alloc.h"

namespace modelhost::engine {
namespace {

TEST(EngineArenaTest, ReusesTheBufferOfAReleasedTensor) {
  auto arena = std::make_shared<BufferArena>();
  ScopedArena scope(arena.get());
  const void* first = nullptr;
  {
    Tensor a = Tensor::allocate(DataType::kFloat32, {256});
    first = a.raw_data();
    a.mutable_data<float>()[3] = 7.f;
  }
  Tensor b = Tensor::allocate(DataType::kFloat32, {200});  // fits the freed 1024-byte buffer
  EXPECT_EQ(b.raw_data(), first);
  EXPECT_EQ(b.data<float>()[3], 0.f) << "a reused buffer is zero-filled like a new one";
  BufferArena::Stats s = arena->stats();
  EXPECT_EQ(s.allocated, 1u);
  EXPECT_EQ(s.reused, 1u);
  EXPECT_EQ(s.in_use_bytes, 1024u);
  EXPECT_EQ(s.peak_in_use_bytes, 1024u);
}

TEST(EngineArenaTest, DoesNotLetASmallTensorPinAMuchLargerBuffer) {
  auto arena = std::make_shared<BufferArena>();
  ScopedArena scope(arena.get());
  const void* big = nullptr;
  {
    Tensor a = Tensor::allocate(DataType::kFloat32, {1024});
    big = a.raw_data();
  }
  Tensor small = Tensor::allocate(DataType::kFloat32, {16});
  EXPECT_NE(small.raw_data(), big);
  EXPECT_EQ(arena->stats().allocated, 2u);
}

TEST(EngineArenaTest, PeakCountsBuffersHeldAtTheSameTime) {
  auto arena = std::make_shared<BufferArena>();
  {
    ScopedArena scope(arena.get());
    Tensor a = Tensor::allocate(DataType::kFloat32, {16});  // 64 bytes
    Tensor b = Tensor::allocate(DataType::kFloat32, {32});  // 128 bytes
  }
  EXPECT_EQ(arena->stats().peak_in_use_bytes, 192u);
  EXPECT_EQ(arena->stats().in_use_bytes, 0u);
  EXPECT_EQ(arena->stats().free_bytes, 192u);
}

TEST(EngineArenaTest, OverTheCapTheSmallestFreeBuffersGoFirst) {
  // Peak: a (1024 bytes) and b (256) at once. With b free, c (64 bytes, too small to take b's
  // buffer) comes and goes; then a is released and keeping all three free buffers (1344 bytes)
  // would pass the peak. With a cap of once the peak the small one goes, a's large buffer stays
  // for the next run.
  auto arena = std::make_shared<BufferArena>(/*keep_factor=*/1);
  ScopedArena scope(arena.get());
  Tensor a = Tensor::allocate(DataType::kFloat32, {256});
  const void* large = a.raw_data();
  { Tensor b = Tensor::allocate(DataType::kFloat32, {64}); }
  { Tensor c = Tensor::allocate(DataType::kFloat32, {16}); }
  a = Tensor();
  const BufferArena::Stats s = arena->stats();
  EXPECT_EQ(s.peak_in_use_bytes, 1280u);
  EXPECT_EQ(s.free_bytes, 1280u);
  Tensor again = Tensor::allocate(DataType::kFloat32, {256});
  EXPECT_EQ(again.raw_data(), large);
}

TEST(EngineArenaTest, RunsOfTheSameShapesStopAllocating) {
  // Sizes that no single free buffer can serve all of (each more than twice the next): their
  // free buffers add up to more than the peak, and the default cap still keeps them all.
  auto arena = std::make_shared<BufferArena>();
  ScopedArena scope(arena.get());
  for (int run = 0; run < 3; ++run) {
    for (int64_t elements : {4096, 1024, 256, 64, 16}) {
      Tensor t = Tensor::allocate(DataType::kFloat32, {elements});
    }
  }
  const BufferArena::Stats s = arena->stats();
  EXPECT_EQ(s.allocated, 5u);
  EXPECT_EQ(s.reused, 10u);
  EXPECT_GT(s.free_bytes, s.peak_in_use_bytes);
}

TEST(EngineArenaTest, UninitializedTensorsShareTheArenaAndItsAlignment) {
  auto arena = std::make_shared<BufferArena>();
  ScopedArena scope(arena.get());
  const void* first = nullptr;
  {
    Tensor a = allocate_uninitialized(DataType::kFloat32, {3, 50});
    EXPECT_EQ(a.shape(), (Shape{3, 50}));
    EXPECT_EQ(a.dtype(), DataType::kFloat32);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(a.raw_data()) % 64, 0u);
    a.mutable_data<float>()[149] = 5.f;  // the whole buffer is writable
    first = a.raw_data();
    EXPECT_EQ(arena->stats().in_use_bytes, 640u);  // 600 bytes rounded up to 64
  }
  Tensor b = Tensor::allocate(DataType::kFloat32, {150});
  EXPECT_EQ(b.raw_data(), first);
  EXPECT_EQ(b.data<float>()[149], 0.f) << "Tensor::allocate still zero-fills a reused buffer";
}

TEST(EngineArenaTest, OutputsOutliveTheScopeAndTheArenaHandle) {
  Tensor kept;
  {
    auto arena = std::make_shared<BufferArena>();
    ScopedArena scope(arena.get());
    kept = Tensor::allocate(DataType::kInt64, {4});
    kept.mutable_data<int64_t>()[2] = 42;
  }
  // The arena object is kept alive by the tensor's buffer.
  EXPECT_EQ(kept.data<int64_t>()[2], 42);
}

TEST(EngineArenaTest, WithoutAScopeTensorsComeFromTheHeap) {
  auto arena = std::make_shared<BufferArena>();
  { ScopedArena scope(arena.get()); }
  Tensor t = Tensor::allocate(DataType::kFloat32, {8});
  EXPECT_EQ(arena->stats().allocated, 0u);
  EXPECT_EQ(ScopedArena::current(), nullptr);
}

TEST(EngineArenaTest, ScopesNest) {
  auto outer = std::make_shared<BufferArena>();
  auto inner = std::make_shared<BufferArena>();
  ScopedArena a(outer.get());
  {
    ScopedArena b(inner.get());
    EXPECT_EQ(ScopedArena::current(), inner.get());
  }
  EXPECT_EQ(ScopedArena::current(), outer.get());
}

}  // namespace
}  // namespace modelhost::engine
