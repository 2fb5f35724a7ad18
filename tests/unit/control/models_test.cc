// Model APIs (versions, labels, activation, rollback, quota usage, access tokens), the blob store
// and the gateway's traffic statistics, on a real SQLite file and real files.
#include "control/models/models.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "control/auth/users.h"
#include "control/gateway/gateway.h"
#include "control/tiers/tiers.h"

namespace modelhost::control {
namespace {

namespace fs = std::filesystem;

class ModelsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("mh-models-" + std::to_string(rd()));
    fs::create_directories(dir_);
    auto db = Db::open((dir_ / "modelhost.db").string());
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    db_ = std::move(db).value();
    users_ = std::make_unique<Users>(*db_);
    models_ = std::make_unique<ModelApis>(*db_);
    auto ann = users_->create("ann", "user");
    ASSERT_TRUE(ann.ok());
    ann_ = *ann;
  }
  void TearDown() override {
    models_.reset();
    users_.reset();
    db_.reset();
    fs::remove_all(dir_);
  }
  ModelApi named(const std::string& name) {
    ModelApi m;
    m.name = name;
    return m;
  }
  fs::path dir_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<Users> users_;
  std::unique_ptr<ModelApis> models_;
  User ann_;
  const Blob blob_{std::string(64, 'a'), 10};
};

TEST_F(ModelsTest, VersionsActivationLabelsAndRollback) {
  auto m = models_->create(named("churn"), ann_, blob_, "{}", "first");
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  EXPECT_EQ(m->owner, "ann");
  EXPECT_EQ(m->active_version, 1);
  EXPECT_EQ(m->latest_version, 1);
  EXPECT_TRUE(m->tier.empty());

  auto v2 = models_->add_version("churn", blob_, "{}", "second", ann_, true);
  ASSERT_TRUE(v2.ok()) << v2.status().to_string();
  EXPECT_EQ(v2->version, 2);
  auto v3 = models_->add_version("churn", blob_, "{}", "", ann_, false);  // uploaded, not active
  ASSERT_TRUE(v3.ok());
  m = models_->get("churn");
  EXPECT_EQ(m->active_version, 2);
  EXPECT_EQ(m->previous_version, 1);
  EXPECT_EQ(m->latest_version, 3);

  ASSERT_TRUE(models_->set_label("churn", "prod", 3).ok());
  ASSERT_TRUE(models_->set_label("churn", "prod", 1).ok());  // moves
  auto versions = models_->versions("churn");
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ((*versions)[0].labels, std::vector<std::string>{"prod"});
  EXPECT_TRUE((*versions)[2].labels.empty());
  EXPECT_EQ(models_->set_label("churn", "prod", 9).code(), StatusCode::kNotFound);
  EXPECT_EQ(models_->set_label("churn", "../x", 1).code(), StatusCode::kInvalidArgument);

  auto back = models_->rollback("churn");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, 1);
  EXPECT_EQ(models_->get("churn")->active_version, 1);
  EXPECT_EQ(*models_->rollback("churn"), 2);  // a rollback of the rollback
  EXPECT_EQ(models_->remove_label("churn", "beta").code(), StatusCode::kNotFound);
}

TEST_F(ModelsTest, NamesEnvironmentsAndDuplicatesAreChecked) {
  ASSERT_TRUE(models_->create(named("a"), ann_, blob_, "{}", "").ok());
  auto dup = models_->create(named("a"), ann_, blob_, "{}", "");
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(models_->create(named("../a"), ann_, blob_, "{}", "").status().code(),
            StatusCode::kInvalidArgument);
  ModelApi other = named("b");
  other.environment = "nope";
  auto env = models_->create(other, ann_, blob_, "{}", "");
  EXPECT_EQ(env.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(env.status().message().find("no environment \"nope\""), std::string::npos);
  // A failed create leaves nothing behind.
  EXPECT_EQ(models_->get("b").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(models_->set_deployment("a", "t", 0, "fp32").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(models_->set_deployment("a", "t", 33, "fp32").code(), StatusCode::kInvalidArgument);
}

TEST_F(ModelsTest, ADeploymentKeepsItsPrecisionAndOnlyKnownOnesAreTaken) {
  ASSERT_TRUE(models_->create(named("a"), ann_, blob_, "{}", "").ok());
  EXPECT_EQ(models_->get("a")->precision, "fp32");  // before any deployment too
  ASSERT_TRUE(models_->set_deployment("a", "t4", 2, "fp16").ok());
  auto m = models_->get("a");
  EXPECT_EQ(m->tier, "t4");
  EXPECT_EQ(m->instances, 2);
  EXPECT_EQ(m->precision, "fp16");
  Status bad = models_->set_deployment("a", "t4", 2, "fp8");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.message(), "precision must be one of fp32, tf32, fp16, bf16, got \"fp8\"");
  EXPECT_EQ(models_->get("a")->precision, "fp16");  // a refused change changes nothing
  // The database refuses what the code would never write.
  EXPECT_FALSE(db_->exec("UPDATE model_apis SET precision = 'int8' WHERE name = 'a'").ok());

  for (std::string_view p : kPrecisions) EXPECT_TRUE(check_precision(p).ok()) << p;
  EXPECT_FALSE(check_precision("FP16").ok());
  EXPECT_FALSE(check_precision("").ok());
  Tier cpu, gpu;
  cpu.name = "cpu-small";
  gpu.name = "t4";
  gpu.gpus = 1;
  EXPECT_TRUE(check_precision_on_tier("fp32", cpu).ok());
  EXPECT_TRUE(check_precision_on_tier("bf16", gpu).ok());
  Status no_gpu = check_precision_on_tier("fp16", cpu);
  EXPECT_EQ(no_gpu.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(no_gpu.message(), "precision fp16 needs a GPU tier; tier \"cpu-small\" has no GPUs");
}

TEST_F(ModelsTest, TheMigrationGivesExistingDeploymentsFp32) {
  ASSERT_TRUE(models_->create(named("old"), ann_, blob_, "{}", "").ok());
  ASSERT_TRUE(models_->set_deployment("old", "t4", 1, "fp32").ok());
  // Back to schema 4, as a database of the previous release would be.
  ASSERT_TRUE(db_->exec("ALTER TABLE model_apis DROP COLUMN precision").ok());
  ASSERT_TRUE(db_->exec("ALTER TABLE instances DROP COLUMN precision").ok());
  ASSERT_TRUE(db_->exec("DELETE FROM schema_migrations WHERE version = 5").ok());
  models_.reset();
  db_.reset();
  auto db = Db::open((dir_ / "modelhost.db").string());
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  db_ = std::move(db).value();
  models_ = std::make_unique<ModelApis>(*db_);
  EXPECT_EQ(db_->schema_version(), 5);
  auto m = models_->get("old");
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  EXPECT_EQ(m->tier, "t4");
  EXPECT_EQ(m->precision, "fp32");
}

TEST_F(ModelsTest, DesiredUsageCountsRunningDeploymentsByTheirTiersRequests) {
  Inventory inv;
  inv.nodes.push_back(
      NodeInfo{"n", "p", 16, 64, {{0, "g0", "A100", 80, true}, {1, "g1", "A100", 80, true}}, true});
  Tiers tiers(*db_, inv);
  Tier t;
  t.name = "a100";
  t.node_pool = "p";
  t.gpus = 1;
  t.cpu_request = 2;
  t.cpu_limit = 4;
  t.memory_request_gib = 3;
  t.memory_limit_gib = 6;
  ASSERT_TRUE(tiers.create(t).ok());
  for (const char* name : {"a", "b", "c"}) {
    ASSERT_TRUE(models_->create(named(name), ann_, blob_, "{}", "").ok());
    ASSERT_TRUE(models_->set_deployment(name, "a100", 2, "fp32").ok());
  }
  ASSERT_TRUE(models_->set_running("c", false).ok());  // stopped: holds nothing
  auto used = models_->desired_usage("ann", "b");      // all but b
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(used->instances, 2);
  EXPECT_EQ(used->gpus, 2);
  EXPECT_DOUBLE_EQ(used->cpus, 4);
  EXPECT_DOUBLE_EQ(used->memory_gib, 6);
  EXPECT_EQ(models_->desired_usage("ann", "")->instances, 4);
}

TEST_F(ModelsTest, AccessTokensAreHashedAndRevocable) {
  ASSERT_TRUE(models_->create(named("a"), ann_, blob_, "{}", "").ok());
  ASSERT_TRUE(models_->create(named("b"), ann_, blob_, "{}", "").ok());
  auto issued = models_->issue_access_token("a", "app");
  ASSERT_TRUE(issued.ok());
  const std::string secret = issued->second;
  EXPECT_EQ(secret.rfind("mha_", 0), 0u);
  EXPECT_TRUE(*models_->check_access_token("a", secret));
  EXPECT_FALSE(*models_->check_access_token("b", secret));  // another model's
  auto stored = db_->query("SELECT sha256 FROM model_access_tokens");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(db_text((*stored)[0][0]), sha256_hex(secret));
  ASSERT_TRUE(models_->revoke_access_token("a", issued->first.id).ok());
  EXPECT_FALSE(*models_->check_access_token("a", secret));
  EXPECT_EQ(models_->revoke_access_token("b", issued->first.id).code(), StatusCode::kNotFound);
}

TEST_F(ModelsTest, BlobStoreSealsByContentAndStagingIsEmptiedAtStart) {
  BlobStore blobs(dir_.string());
  ASSERT_TRUE(blobs.prepare().ok());
  const std::string staged = blobs.staging_dir() + "/upload-1.part";
  std::ofstream(staged) << "abc";
  auto blob = blobs.seal(staged);
  ASSERT_TRUE(blob.ok());
  EXPECT_EQ(blob->sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(blob->size, 3u);
  ASSERT_TRUE(blobs.commit(staged, *blob).ok());
  EXPECT_FALSE(fs::exists(staged));
  std::ifstream in(blobs.path_of(blob->sha256));
  std::string text;
  in >> text;
  EXPECT_EQ(text, "abc");
  // The same content again is dropped, not stored twice.
  std::ofstream(staged) << "abc";
  ASSERT_TRUE(blobs.commit(staged, *blobs.seal(staged)).ok());
  EXPECT_FALSE(fs::exists(staged));
  // What an interrupted upload left is gone after prepare().
  std::ofstream(blobs.staging_dir() + "/upload-2.part") << "half";
  ASSERT_TRUE(blobs.prepare().ok());
  EXPECT_TRUE(fs::is_empty(blobs.staging_dir()));
  EXPECT_TRUE(fs::exists(blobs.path_of(blob->sha256)));
}

TEST(TrafficStatsTest, PercentilesRatesAndTheHourWindow) {
  TrafficStats s;
  const int64_t t = 1'000'000;
  for (int i = 0; i < 90; ++i) s.record(t, 1000, false);      // 1 ms
  for (int i = 0; i < 10; ++i) s.record(t + 1, 50000, true);  // 50 ms, errors
  auto sum = s.summary(t + 1, 10);
  EXPECT_EQ(sum.requests, 100);
  EXPECT_EQ(sum.errors, 10);
  EXPECT_DOUBLE_EQ(sum.requests_per_s, 10);
  EXPECT_DOUBLE_EQ(sum.error_rate, 0.1);
  // Buckets are 2^(1/2) wide: a percentile lands within 41% above the true value.
  EXPECT_GE(sum.p50_ms, 1.0);
  EXPECT_LT(sum.p50_ms, 1.42);
  EXPECT_GE(sum.p99_ms, 50.0);
  EXPECT_LT(sum.p99_ms, 71.0);
  auto series = s.series(t + 1, 2, 1);
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].second.requests, 90);
  EXPECT_EQ(series[1].second.errors, 10);
  // An hour later the old seconds are gone from the window (the total stays).
  s.record(t + 3700, 1000, false);
  EXPECT_EQ(s.summary(t + 3700, 3600).requests, 1);
  EXPECT_EQ(s.total_requests(), 101);
}

}  // namespace
}  // namespace modelhost::control
