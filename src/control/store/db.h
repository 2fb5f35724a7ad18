// Db: the controller's SQLite database (`<data-dir>/modelhost.db`).
//
// Opened in WAL mode with foreign keys on and a busy timeout, and brought to the newest schema by
// the migrations in migrations.cc (each applied once, in its own transaction, recorded in
// schema_migrations), so a database written by an older modelhost is upgraded in place and a
// newer one is refused. One connection behind a mutex: the controller's writes are small and
// rare next to model traffic, which never touches the database.
//
//   ASSIGN_OR_RETURN(auto db, Db::open(dir + "/modelhost.db"));
//   ASSIGN_OR_RETURN(auto rows, db->query("SELECT name FROM users WHERE role = ?", {"admin"}));
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

struct sqlite3;

namespace modelhost::control {

// A bound parameter or a column value: NULL, an integer or text.
using DbValue = std::variant<std::nullptr_t, int64_t, std::string>;
using DbRow = std::vector<DbValue>;

class Db {
 public:
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Opens (creating if needed) and migrates the database at `path`.
  static Result<std::unique_ptr<Db>> open(const std::string& path);

  // Runs one statement with `?` parameters and returns its rows. Constraint violations come back
  // as kAlreadyExists (UNIQUE, PRIMARY KEY) or kFailedPrecondition (others).
  Result<std::vector<DbRow>> query(std::string_view sql, const std::vector<DbValue>& params = {});
  Status exec(std::string_view sql, const std::vector<DbValue>& params = {});

  // Runs `fn` inside BEGIN IMMEDIATE ... COMMIT (ROLLBACK when it fails). `fn` uses query/exec.
  // A transaction inside `fn` joins the outer one.
  Status transaction(const std::function<Status()>& fn);

  // The schema version the database is at (the newest migration applied).
  int64_t schema_version();
  // The journal mode SQLite reports ("wal").
  std::string journal_mode();

 private:
  explicit Db(sqlite3* handle) : db_(handle) {}
  Status migrate();
  Result<std::vector<DbRow>> query_locked(std::string_view sql, const std::vector<DbValue>& params);

  sqlite3* db_;
  std::recursive_mutex mu_;  // transaction() holds it across the statements of `fn`
  int transaction_depth_ = 0;
};

// Text of a column ("" for NULL or an integer), and an integer column (0 for NULL or text).
std::string db_text(const DbValue& v);
int64_t db_int(const DbValue& v);

// Fractional quantities (cores, GiB) are stored as text with 17 significant digits, so that 0.5
// reads back as exactly 0.5: the value to bind, and the number a column holds.
DbValue db_real_value(double v);
double db_real(const DbValue& v);

}  // namespace modelhost::control
