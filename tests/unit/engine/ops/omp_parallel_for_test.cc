#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "common/thread_pool.h"
#include "engine/cpu/dnnl_threads.h"

namespace modelhost::engine {
namespace {

// Runs omp_parallel_for and returns the chunks it handed out and the threads that ran them.
std::pair<std::vector<std::pair<int64_t, int64_t>>, std::set<std::thread::id>> chunks_of(
    const exec::KernelContext& ctx, int64_t n, int64_t min_chunk) {
  std::mutex mu;
  std::vector<std::pair<int64_t, int64_t>> chunks;
  std::set<std::thread::id> threads;
  cpu::omp_parallel_for(ctx, n, min_chunk, [&](int64_t b, int64_t e) {
    std::lock_guard lock(mu);
    chunks.emplace_back(b, e);
    threads.insert(std::this_thread::get_id());
  });
  std::sort(chunks.begin(), chunks.end());
  return {chunks, threads};
}

TEST(EngineOmpParallelForTest, CoversTheRangeOnceSplitAcrossTheTeam) {
  ThreadPool pool(1);  // a context of two threads: the pool's worker and the caller
  const exec::KernelContext ctx{&pool};
  const auto [chunks, threads] = chunks_of(ctx, 100001, 1000);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].first, 0);
  EXPECT_EQ(chunks[0].second, chunks[1].first) << "no gap and no overlap";
  EXPECT_EQ(chunks[1].second, 100001);
  EXPECT_EQ(threads.size(), 2u);
}

TEST(EngineOmpParallelForTest, SmallRangesAndNoPoolRunOnTheCaller) {
  ThreadPool pool(1);
  for (const auto& [ctx, n] : {std::pair{exec::KernelContext{&pool}, int64_t{1500}},
                               std::pair{exec::KernelContext{}, int64_t{100000}}}) {
    const auto [chunks, threads] = chunks_of(ctx, n, 1000);
    ASSERT_EQ(chunks.size(), 1u) << n;
    EXPECT_EQ(chunks[0], std::make_pair(int64_t{0}, n));
    EXPECT_EQ(*threads.begin(), std::this_thread::get_id());
  }
  const auto [none, unused] = chunks_of(exec::KernelContext{&pool}, 0, 1);
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace modelhost::engine
