// The controller's store and users on a real SQLite file in a temp folder.
#include "control/auth/users.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>

#include "control/store/db.h"

namespace modelhost::control {
namespace {

namespace fs = std::filesystem;

class TempDb {
 public:
  TempDb() {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("modelhost-db-test-" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  ~TempDb() { fs::remove_all(dir_); }
  std::string path() const { return (dir_ / "modelhost.db").string(); }

 private:
  fs::path dir_;
};

TEST(ControlDbTest, NestedTransactionsJoinTheOuterOne) {
  TempDb tmp;
  auto db = Db::open(tmp.path());
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  Db& d = **db;
  // The inner transaction succeeds, the outer fails: nothing of either is kept.
  Status st = d.transaction([&]() -> Status {
    RETURN_IF_ERROR(d.exec("INSERT INTO users (name, role) VALUES ('outer', 'user')"));
    RETURN_IF_ERROR(d.transaction(
        [&]() { return d.exec("INSERT INTO users (name, role) VALUES ('inner', 'user')"); }));
    return invalid_argument("changed my mind");
  });
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  auto rows = d.query("SELECT COUNT(*) FROM users");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(db_int((*rows)[0][0]), 0);
  // And a nested pair that succeeds commits both.
  st = d.transaction([&]() -> Status {
    RETURN_IF_ERROR(d.exec("INSERT INTO users (name, role) VALUES ('outer', 'user')"));
    return d.transaction(
        [&]() { return d.exec("INSERT INTO users (name, role) VALUES ('inner', 'user')"); });
  });
  EXPECT_TRUE(st.ok()) << st.to_string();
  rows = d.query("SELECT COUNT(*) FROM users");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(db_int((*rows)[0][0]), 2);
}

TEST(ControlDbTest, OpensInWalModeAndMigratesOnce) {
  TempDb tmp;
  {
    auto db = Db::open(tmp.path());
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    EXPECT_EQ((*db)->journal_mode(), "wal");
    EXPECT_EQ((*db)->schema_version(), 5);
    ASSERT_TRUE((*db)->exec("INSERT INTO users (name, role) VALUES ('a', 'user')").ok());
  }
  auto again = Db::open(tmp.path());  // reopening keeps the data and applies nothing twice
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_EQ((*again)->schema_version(), 5);
  auto rows = (*again)->query("SELECT COUNT(*) FROM schema_migrations");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(db_int((*rows)[0][0]), 5);
  auto users = (*again)->query("SELECT name FROM users");
  ASSERT_TRUE(users.ok());
  ASSERT_EQ(users->size(), 1u);
  EXPECT_EQ(db_text((*users)[0][0]), "a");
}

TEST(ControlDbTest, ADatabaseFromANewerVersionIsRefused) {
  TempDb tmp;
  {
    auto db = Db::open(tmp.path());
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->exec("INSERT INTO schema_migrations (version) VALUES (99)").ok());
  }
  auto db = Db::open(tmp.path());
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("schema version 99, newer than this modelhost knows"),
            std::string::npos)
      << db.status().message();
}

TEST(ControlDbTest, AFailedTransactionLeavesNothing) {
  TempDb tmp;
  auto db = Db::open(tmp.path());
  ASSERT_TRUE(db.ok());
  Status st = (*db)->transaction([&]() -> Status {
    RETURN_IF_ERROR((*db)->exec("INSERT INTO users (name, role) VALUES ('x', 'user')"));
    return (*db)->exec("INSERT INTO users (name, role) VALUES ('x', 'user')");  // duplicate
  });
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists);
  auto rows = (*db)->query("SELECT COUNT(*) FROM users");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(db_int((*rows)[0][0]), 0);
}

TEST(ControlUsersTest, Sha256MatchesTheStandardVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ControlUsersTest, BootstrapCreatesOneAdminWhoseTokenAuthenticates) {
  TempDb tmp;
  auto db = Db::open(tmp.path());
  ASSERT_TRUE(db.ok());
  Users users(**db);
  auto first = users.bootstrap_admin(std::nullopt);
  ASSERT_TRUE(first.ok()) << first.status().to_string();
  ASSERT_TRUE(first->has_value());
  const std::string token = **first;
  EXPECT_TRUE(token.starts_with("mh_"));
  EXPECT_EQ(token.size(), 35u);  // "mh_" + 128 bits in hex
  auto second = users.bootstrap_admin(std::nullopt);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->has_value()) << "a second start creates nothing";
  auto p = users.authenticate(token);
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ(p->user.name, "admin");
  EXPECT_TRUE(p->is_admin());
  // Only the hash is stored.
  auto rows = (*db)->query("SELECT sha256 FROM tokens");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(db_text((*rows)[0][0]), sha256_hex(token));
  EXPECT_EQ(users.authenticate(token + "x").status().code(), StatusCode::kUnauthenticated);
}

TEST(ControlUsersTest, APresetAdminTokenMustBeLongEnough) {
  TempDb tmp;
  auto db = Db::open(tmp.path());
  ASSERT_TRUE(db.ok());
  Users users(**db);
  auto short_one = users.bootstrap_admin(std::string("secret"));
  ASSERT_FALSE(short_one.ok());
  EXPECT_NE(short_one.status().message().find("at least 32 characters"), std::string::npos);
  const std::string preset(40, 'k');
  auto ok = users.bootstrap_admin(preset);
  ASSERT_TRUE(ok.ok()) << ok.status().to_string();
  EXPECT_EQ(**ok, "") << "a preset token is not printed";
  EXPECT_TRUE(users.authenticate(preset).ok());
}

TEST(ControlUsersTest, NamesRolesAndRevocation) {
  TempDb tmp;
  auto db = Db::open(tmp.path());
  ASSERT_TRUE(db.ok());
  Users users(**db);
  for (const char* bad : {"", "..", "a/b", "x y", "émile"}) {
    auto u = users.create(bad, "user");
    ASSERT_FALSE(u.ok()) << bad;
    EXPECT_NE(u.status().message().find("is not valid: use 1 to 64 of A-Z a-z 0-9 . _ -"),
              std::string::npos)
        << u.status().message();
  }
  EXPECT_FALSE(users.create(std::string(65, 'a'), "user").ok());
  auto role = users.create("ann", "root");
  ASSERT_FALSE(role.ok());
  EXPECT_NE(role.status().message().find("role must be \"admin\" or \"user\", got \"root\""),
            std::string::npos);
  ASSERT_TRUE(users.create("ann", "user").ok());
  auto dup = users.create("ann", "user");
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(dup.status().message(), "user \"ann\" exists already");

  auto issued = users.issue_token("ann", "laptop");
  ASSERT_TRUE(issued.ok()) << issued.status().to_string();
  const auto& [info, secret] = *issued;
  auto p = users.authenticate(secret);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->user.name, "ann");
  EXPECT_FALSE(p->is_admin());
  EXPECT_EQ(p->token_id, info.id);
  ASSERT_TRUE(users.revoke_token(info.id).ok());
  EXPECT_EQ(users.authenticate(secret).status().code(), StatusCode::kUnauthenticated);
  auto listed = users.tokens_of("ann");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_FALSE((*listed)[0].revoked_at.empty());
  EXPECT_EQ(users.issue_token("nobody", "t").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace modelhost::control
