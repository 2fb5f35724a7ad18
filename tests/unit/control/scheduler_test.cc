// The scheduler on declared pools: 8 GPUs in two pools, three tiers, four users.
#include "control/scheduler/scheduler.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace modelhost::control {
namespace {

Inventory pools() {
  auto inv = parse_nodes_json(R"({"pools": [
    {"name": "gpu-a", "nodes": [
      {"name": "a1", "cpus": 8, "memory_gib": 64,
       "gpus": [{"type": "A100", "memory_gib": 80}, {"type": "A100", "memory_gib": 80}]},
      {"name": "a2", "cpus": 8, "memory_gib": 64,
       "gpus": [{"type": "A100", "memory_gib": 80}, {"type": "A100", "memory_gib": 80}]}]},
    {"name": "gpu-b", "nodes": [
      {"name": "b1", "cpus": 16, "memory_gib": 64,
       "gpus": [{"type": "T4", "memory_gib": 16}, {"type": "T4", "memory_gib": 16},
                {"type": "T4", "memory_gib": 16}, {"type": "T4", "memory_gib": 16}]}]},
    {"name": "cpu", "nodes": [{"name": "c1", "cpus": 4, "memory_gib": 8}]}]})");
  EXPECT_TRUE(inv.ok()) << inv.status().to_string();
  return *inv;
}

Tier tier(const char* name, const char* pool, int64_t gpus, const char* type, double cpus,
          double memory, int64_t max_instances = 32) {
  Tier t;
  t.name = name;
  t.node_pool = pool;
  t.gpus = gpus;
  t.gpu_type = type;
  t.cpu_request = t.cpu_limit = cpus;
  t.memory_request_gib = t.memory_limit_gib = memory;
  t.max_instances = max_instances;
  return t;
}

const Resources kRoomy{16, 16, 64, 256};

struct World {
  Inventory inv = pools();
  std::vector<Allocation> current;

  Placement add(const std::string& instance, const std::string& user, const std::string& model,
                const Tier& t, Resources limit = kRoomy) {
    Placement p = place(inv, current, PlacementRequest{instance, user, model, t, limit});
    if (p.placed) current.push_back(p.allocation);
    return p;
  }
};

TEST(ControlSchedulerTest, EachGpuInstanceGetsItsOwnGpusOnTheFullestNode) {
  World w;
  const Tier a100 = tier("a100", "gpu-a", 1, "A100", 2, 8);
  Placement p1 = w.add("i1", "ann", "m1", a100);
  ASSERT_TRUE(p1.placed) << p1.reason;
  EXPECT_EQ(p1.allocation.node, "a1");
  EXPECT_EQ(p1.allocation.gpus, std::vector<int>{0});
  Placement p2 = w.add("i2", "bob", "m2", a100);  // the fuller node first: a1 again
  ASSERT_TRUE(p2.placed);
  EXPECT_EQ(p2.allocation.node, "a1");
  EXPECT_EQ(p2.allocation.gpus, std::vector<int>{1});
  Placement p3 = w.add("i3", "cid", "m3", a100);
  ASSERT_TRUE(p3.placed);
  EXPECT_EQ(p3.allocation.node, "a2");
  Placement p4 = w.add("i4", "dee", "m4", a100);
  ASSERT_TRUE(p4.placed);
  EXPECT_EQ(p4.allocation.node, "a2");
  Placement p5 = w.add("i5", "dee", "m4", a100);
  EXPECT_FALSE(p5.placed);
  EXPECT_EQ(p5.reason, "needs 1 GPU of type A100 in pool gpu-a, 0 free");
  // Freeing one GPU lets the pending instance in, on exactly that GPU.
  w.current.erase(w.current.begin() + 2);  // i3 on a2 GPU 0
  Placement again = w.add("i5", "dee", "m4", a100);
  ASSERT_TRUE(again.placed) << again.reason;
  EXPECT_EQ(again.allocation.node, "a2");
  EXPECT_EQ(again.allocation.gpus, std::vector<int>{0});
}

TEST(ControlSchedulerTest, MultiGpuTiersNeedTheirGpusOnOneNode) {
  World w;
  const Tier one = tier("a100", "gpu-a", 1, "A100", 1, 1);
  const Tier two = tier("a100x2", "gpu-a", 2, "A100", 1, 1);
  ASSERT_TRUE(w.add("i1", "ann", "m1", one).placed);  // a1 GPU 0
  Placement p = w.add("i2", "bob", "m2", two);
  ASSERT_TRUE(p.placed);
  EXPECT_EQ(p.allocation.node, "a2");
  EXPECT_EQ(p.allocation.gpus, (std::vector<int>{0, 1}));
  Placement none = w.add("i3", "bob", "m3", two);  // 1 free on a1, 0 on a2
  EXPECT_FALSE(none.placed);
  EXPECT_EQ(none.reason, "needs 2 GPUs of type A100 in pool gpu-a, 1 free");
}

TEST(ControlSchedulerTest, CpuTiersShareNodesUntilCoresOrMemoryRunOut) {
  World w;
  const Tier small = tier("small", "cpu", 0, "", 1.5, 3);
  ASSERT_TRUE(w.add("i1", "ann", "m1", small).placed);
  ASSERT_TRUE(w.add("i2", "bob", "m2", small).placed);
  EXPECT_TRUE(w.current[1].gpus.empty());
  Placement third = w.add("i3", "cid", "m3", small);
  EXPECT_FALSE(third.placed);
  EXPECT_EQ(third.reason,
            "needs 1.5 CPU cores and 3 GiB of memory in pool cpu; free on its nodes at most: 1 "
            "cores, 2 GiB");
}

TEST(ControlSchedulerTest, QuotasAndTierLimitsKeepInstancesPending) {
  World w;
  const Tier t4 = tier("t4", "gpu-b", 1, "T4", 1, 1, /*max_instances=*/2);
  const Resources two_gpus{2, 16, 64, 256};
  ASSERT_TRUE(w.add("i1", "ann", "m1", t4, two_gpus).placed);
  ASSERT_TRUE(w.add("i2", "ann", "m1", t4, two_gpus).placed);
  Placement tier_max = w.add("i3", "ann", "m1", t4, two_gpus);
  EXPECT_EQ(tier_max.reason, "tier \"t4\" allows at most 2 instances of one Model API");
  Placement quota = w.add("i4", "ann", "m2", t4, two_gpus);
  EXPECT_EQ(quota.reason, "quota exceeded for user \"ann\": GPUs 2 in use + 1 requested > limit 2");
  // Another user is not held back by ann's quota.
  EXPECT_TRUE(w.add("i5", "bob", "m3", t4).placed);
  EXPECT_EQ(usage_of("ann", w.current).gpus, 2);
  EXPECT_EQ(usage_of("ann", w.current).instances, 2);
  EXPECT_EQ(usage_of("bob", w.current).gpus, 1);
}

TEST(ControlSchedulerTest, TheSameInputsGiveTheSamePlacements) {
  auto run = [] {
    World w;
    const std::vector<Tier> tiers = {tier("a100", "gpu-a", 1, "A100", 2, 8),
                                     tier("t4x2", "gpu-b", 2, "T4", 4, 16),
                                     tier("small", "cpu", 0, "", 1, 2)};
    const std::vector<std::string> users = {"ann", "bob", "cid", "dee"};
    std::vector<std::string> log;
    for (int i = 0; i < 12; ++i) {
      Placement p =
          w.add("i" + std::to_string(i), users[i % 4], "m" + std::to_string(i % 5), tiers[i % 3]);
      std::string line = p.placed ? p.allocation.node + ":" : p.reason;
      for (int g : p.allocation.gpus) line += std::to_string(g);
      log.push_back(line);
    }
    return log;
  };
  const auto first = run();
  EXPECT_EQ(first, run());
  // 4 A100s, 2 T4 pairs, 4 cores of cpu: the 12 requests place 4 + 2 + 4.
  int placed = 0;
  for (const auto& l : first) placed += l.find("needs") == std::string::npos;
  EXPECT_EQ(placed, 10);
}

}  // namespace
}  // namespace modelhost::control
