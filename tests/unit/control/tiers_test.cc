// Nodes files and hardware tiers: parsing with errors that name the entry, and the "can this
// tier ever be placed" check against declared pools.
#include "control/tiers/tiers.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>

#include "control/inventory/inventory.h"

namespace modelhost::control {
namespace {

constexpr const char* kTwoPools = R"({"pools": [
  {"name": "gpu-a", "nodes": [
    {"name": "node-1", "cpus": 16, "memory_gib": 64,
     "gpus": [{"type": "A100", "memory_gib": 80}, {"type": "A100", "memory_gib": 80}]},
    {"name": "node-2", "cpus": 32, "memory_gib": 128,
     "gpus": [{"type": "T4", "memory_gib": 16}]}]},
  {"name": "cpu", "nodes": [{"name": "node-3", "cpus": 8, "memory_gib": 32}]}]})";

Inventory two_pools() {
  auto inv = parse_nodes_json(kTwoPools);
  EXPECT_TRUE(inv.ok()) << inv.status().to_string();
  return inv.ok() ? *inv : Inventory{};
}

TEST(ControlInventoryTest, ParsesPoolsNodesAndDeclaredGpus) {
  Inventory inv = two_pools();
  ASSERT_EQ(inv.nodes.size(), 3u);
  EXPECT_EQ(inv.pools(), (std::vector<std::string>{"cpu", "gpu-a"}));
  const NodeInfo& n1 = inv.nodes[0];
  EXPECT_EQ(n1.name, "node-1");
  EXPECT_EQ(n1.pool, "gpu-a");
  EXPECT_EQ(n1.cpus, 16);
  ASSERT_EQ(n1.gpus.size(), 2u);
  EXPECT_EQ(n1.gpus[1].type, "A100");
  EXPECT_EQ(n1.gpus[1].index, 1);
  EXPECT_EQ(n1.gpus[1].uuid, "declared-node-1-1");
  EXPECT_TRUE(n1.gpus[1].declared);
  EXPECT_TRUE(inv.nodes[2].gpus.empty());
}

TEST(ControlInventoryTest, BadNodesFilesNameTheEntry) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[1]", "the nodes file must be a JSON object"},
      {"{\"pools\": []}", "non-empty \"pools\" array"},
      {"{\"pools\": [{\"name\": \"p\", \"nodes\": [{\"name\": \"n\", \"cpus\": 0, "
       "\"memory_gib\": 1}]}]}",
       "pools[0].nodes[0].cpus must be positive, got 0"},
      {"{\"pools\": [{\"name\": \"p\", \"nodes\": [{\"name\": \"n\", \"cpus\": 2.5, "
       "\"memory_gib\": 1}]}]}",
       "pools[0].nodes[0].cpus must be an integer"},
      {"{\"pools\": [{\"name\": \"p\", \"nodes\": [{\"name\": \"n\", \"cpus\": 2, "
       "\"memory_gib\": 1, \"gpus\": [{\"memory_gib\": 8}]}]}]}",
       "pools[0].nodes[0].gpus[0].type must be a non-empty string"},
      {"{\"pools\": [{\"name\": \"../p\", \"nodes\": []}]}", "pool name \"../p\" is not valid"},
      {"{\"pools\": [{\"name\": \"p\", \"nodes\": [{\"name\": \"n\", \"cpus\": 1, "
       "\"memory_gib\": 1}, {\"name\": \"n\", \"cpus\": 1, \"memory_gib\": 1}]}]}",
       "node \"n\" is declared twice"},
      {"{\"pools\": [", "the nodes file is not valid JSON"},
  };
  for (const auto& [text, error] : cases) {
    auto inv = parse_nodes_json(text);
    ASSERT_FALSE(inv.ok()) << text;
    EXPECT_NE(inv.status().message().find(error), std::string::npos)
        << text << " -> " << inv.status().message();
  }
}

TEST(ControlInventoryTest, TheLocalMachineIsOneNodeOfPoolLocal) {
  Inventory inv = discover_local();
  ASSERT_EQ(inv.nodes.size(), 1u);
  EXPECT_EQ(inv.nodes[0].pool, "local");
  EXPECT_GE(inv.nodes[0].cpus, 1);
  EXPECT_GT(inv.nodes[0].memory_gib, 0.1);
  for (const GpuInfo& g : inv.nodes[0].gpus) EXPECT_FALSE(g.declared);
}

Tier tier(std::string name, std::string pool, int64_t gpus, std::string type = "") {
  Tier t;
  t.name = std::move(name);
  t.node_pool = std::move(pool);
  t.gpus = gpus;
  t.gpu_type = std::move(type);
  return t;
}

TEST(ControlTierTest, ATierMustFitSomeNodeOfItsPool) {
  const Inventory inv = two_pools();
  EXPECT_TRUE(check_tier(tier("a100x2", "gpu-a", 2, "A100"), inv).ok());
  EXPECT_TRUE(check_tier(tier("any3", "gpu-a", 2), inv).ok()) << "2 GPUs of any type on node-1";
  EXPECT_TRUE(check_tier(tier("cpu", "cpu", 0), inv).ok());
  struct Case {
    Tier t;
    std::string error;
  };
  Tier big_cpu = tier("wide", "cpu", 0);
  big_cpu.cpu_request = big_cpu.cpu_limit = 12;
  Tier big_mem = tier("fat", "gpu-a", 1, "T4");
  big_mem.memory_request_gib = big_mem.memory_limit_gib = 200;
  Tier inverted = tier("inv", "cpu", 0);
  inverted.cpu_request = 4;
  inverted.cpu_limit = 2;
  Tier many = tier("many", "cpu", 0);
  many.max_instances = 33;
  const std::vector<Case> cases = {
      {tier("a100x3", "gpu-a", 3, "A100"),
       "tier \"a100x3\" can never be placed: no node in pool \"gpu-a\" has 3 GPUs of type A100 "
       "(the most is 2, on node-1)"},
      {tier("h100", "gpu-a", 1, "H100"), "has 1 GPUs of type H100 (the most is 0, on node-1)"},
      {tier("gpu-on-cpu", "cpu", 1),
       "no node in pool \"cpu\" has 1 GPUs (the most is 0, on node-3)"},
      {big_cpu, "has 12 CPU cores (the most is 8, on node-3)"},
      {big_mem, "has 200 GiB of memory (the most is 128, on node-2)"},
      {tier("lost", "gpu-b", 0), "node pool \"gpu-b\" does not exist (pools: cpu, gpu-a)"},
      {inverted, "cpu_request and cpu_limit must be positive with request <= limit, got 4 and 2"},
      {many, "max_instances must be between 1 and 32, got 33"},
      {tier("../x", "cpu", 0), "tier name \"../x\" is not valid"},
  };
  for (const Case& c : cases) {
    Status st = check_tier(c.t, inv);
    ASSERT_FALSE(st.ok()) << c.t.name;
    EXPECT_NE(st.message().find(c.error), std::string::npos) << st.message();
  }
}

TEST(ControlTierTest, StoredTiersKeepOneDefaultAndExactNumbers) {
  const Inventory inv = two_pools();
  std::random_device rd;
  const auto dir = std::filesystem::temp_directory_path() / ("mh-tiers-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  {
    auto db = Db::open((dir / "modelhost.db").string());
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    Tiers tiers(**db, inv);
    Tier small = tier("small", "cpu", 0);
    small.cpu_request = 0.5;
    small.cpu_limit = 1.5;
    small.is_default = true;
    ASSERT_TRUE(tiers.create(small).ok());
    Tier gpu = tier("gpu", "gpu-a", 1, "A100");
    gpu.is_default = true;
    gpu.visible = false;
    ASSERT_TRUE(tiers.create(gpu).ok());
    auto all = tiers.list(true);
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), 2u);
    EXPECT_TRUE((*all)[0].is_default) << "gpu took the default flag";
    EXPECT_FALSE((*all)[1].is_default);
    EXPECT_EQ((*all)[1].cpu_request, 0.5);
    EXPECT_EQ((*all)[1].cpu_limit, 1.5);
    auto visible = tiers.list(false);
    ASSERT_TRUE(visible.ok());
    ASSERT_EQ(visible->size(), 1u);
    EXPECT_EQ((*visible)[0].name, "small");
    EXPECT_EQ(tiers.create(small).status().code(), StatusCode::kAlreadyExists);
    Tier bigger = *tiers.get("small");
    bigger.gpus = 1;  // the cpu pool has no GPUs: the update is refused, the tier unchanged
    EXPECT_FALSE(tiers.update(bigger).ok());
    EXPECT_EQ(tiers.get("small")->gpus, 0);
    ASSERT_TRUE(tiers.remove("small").ok());
    EXPECT_EQ(tiers.get("small").status().code(), StatusCode::kNotFound);
    EXPECT_EQ(tiers.remove("small").code(), StatusCode::kNotFound);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace modelhost::control
