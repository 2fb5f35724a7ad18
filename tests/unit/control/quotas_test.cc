// Quotas (the check and the stored limits) and environments on a real SQLite file.
#include "control/quotas/quotas.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>

#include "control/auth/users.h"
#include "control/environments/environments.h"

namespace modelhost::control {
namespace {

class Fixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("mh-quota-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    auto db = Db::open((dir_ / "modelhost.db").string());
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    db_ = std::move(db).value();
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<Db> db_;
};

TEST(ControlQuotaCheckTest, NamesTheFirstResourceOverItsLimit) {
  const Resources limit{4, 8, 16, 64};
  EXPECT_TRUE(check_quota("ann", limit, {2, 2, 4, 8}, {2, 1, 4, 8}).ok()) << "exactly at the limit";
  Status gpus = check_quota("ann", limit, {3, 1, 0, 0}, {2, 1, 0, 0});
  EXPECT_EQ(gpus.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(gpus.message(),
            "quota exceeded for user \"ann\": GPUs 3 in use + 2 requested > limit 4");
  Status cpus = check_quota("ann", limit, {0, 0, 15.5, 0}, {0, 1, 1, 1});
  EXPECT_EQ(cpus.message(),
            "quota exceeded for user \"ann\": CPU cores 15.5 in use + 1 requested > limit 16");
  Status memory = check_quota("bob", limit, {0, 0, 0, 60}, {0, 1, 1, 8});
  EXPECT_EQ(memory.message(),
            "quota exceeded for user \"bob\": memory GiB 60 in use + 8 requested > limit 64");
  Status none = check_quota("bob", {0, 8, 16, 64}, {}, {1, 1, 1, 1});
  EXPECT_NE(none.message().find("GPUs 0 in use + 1 requested > limit 0"), std::string::npos);
}

TEST_F(Fixture, UsersGetTheDefaultUntilTheyHaveTheirOwn) {
  Users users(*db_);
  ASSERT_TRUE(users.create("ann", "user").ok());
  Quotas quotas(*db_);
  auto q = quotas.of("ann");
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  EXPECT_TRUE(q->is_default);
  EXPECT_EQ(q->limit.gpus, 4);
  ASSERT_TRUE(quotas.set_default_limit({2, 4, 8.5, 32}).ok());
  EXPECT_EQ(quotas.of("ann")->limit.cpus, 8.5);
  ASSERT_TRUE(quotas.set("ann", {1, 2, 3, 4}).ok());
  q = quotas.of("ann");
  EXPECT_FALSE(q->is_default);
  EXPECT_EQ(q->limit.instances, 2);
  ASSERT_TRUE(quotas.reset("ann").ok());
  EXPECT_TRUE(quotas.of("ann")->is_default);
  EXPECT_EQ(quotas.of("nobody").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(quotas.set("ann", {-1, 2, 3, 4}).message(), "max_gpus must be >= 0");
}

TEST_F(Fixture, OnnxIsBuiltInAndPythonEnvironmentsNeedAnExecutable) {
  Environments envs(*db_);
  auto all = envs.list();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].name, "onnx");
  EXPECT_TRUE((*all)[0].builtin);
  Environment py{"py311", "python", "/bin/sh", "a shell standing in for python", false, ""};
  auto made = envs.create(py);
  ASSERT_TRUE(made.ok()) << made.status().to_string();
  EXPECT_EQ(envs.create(py).status().code(), StatusCode::kAlreadyExists);
  Environment relative = py;
  relative.name = "rel";
  relative.interpreter = "python3";
  EXPECT_NE(envs.create(relative).status().message().find(
                "interpreter must be the absolute path of an executable file, got \"python3\""),
            std::string::npos);
  Environment missing = relative;
  missing.interpreter = "/nonexistent/python";
  EXPECT_FALSE(envs.create(missing).ok());
  Environment onnx = py;
  onnx.name = "onnx2";
  onnx.kind = "onnx";
  EXPECT_NE(envs.create(onnx).status().message().find("kind must be \"python\""),
            std::string::npos);
  EXPECT_EQ(envs.remove("onnx").message(),
            "environment \"onnx\" is built in and cannot be removed");
  ASSERT_TRUE(envs.remove("py311").ok());
  EXPECT_EQ(envs.get("py311").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace modelhost::control
