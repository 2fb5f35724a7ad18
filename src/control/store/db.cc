// See db.h.
#include "control/store/db.h"

#include <sqlite3.h>

#include <cstdlib>
#include <sstream>
#include <utility>

namespace modelhost::control {
namespace {

// Every schema change is a new entry at the end; an entry never changes once released.
const std::vector<std::string_view>& migrations() {
  static const std::vector<std::string_view> m = {
      // 1: users and their personal API tokens (only each token's SHA-256 is stored).
      R"sql(
        CREATE TABLE users (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
          created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE TABLE tokens (
          id TEXT PRIMARY KEY,
          user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
          name TEXT NOT NULL,
          sha256 TEXT NOT NULL UNIQUE,
          created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
          revoked_at TEXT
        );
        CREATE INDEX tokens_by_user ON tokens(user_id);
      )sql",
      // 2: hardware tiers (numbers of cores and GiB as text, read back exactly).
      R"sql(
        CREATE TABLE tiers (
          name TEXT PRIMARY KEY,
          cpu_request TEXT NOT NULL,
          cpu_limit TEXT NOT NULL,
          memory_request_gib TEXT NOT NULL,
          memory_limit_gib TEXT NOT NULL,
          gpus INTEGER NOT NULL,
          gpu_type TEXT NOT NULL DEFAULT '',
          node_pool TEXT NOT NULL,
          visible INTEGER NOT NULL DEFAULT 1,
          is_default INTEGER NOT NULL DEFAULT 0,
          max_instances INTEGER NOT NULL,
          created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
      )sql",
      // 3: quotas (a user's own, and the default) and environments (onnx built in).
      R"sql(
        CREATE TABLE quotas (
          user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
          max_gpus INTEGER NOT NULL,
          max_instances INTEGER NOT NULL,
          max_cpus TEXT NOT NULL,
          max_memory_gib TEXT NOT NULL
        );
        CREATE TABLE default_quota (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          max_gpus INTEGER NOT NULL,
          max_instances INTEGER NOT NULL,
          max_cpus TEXT NOT NULL,
          max_memory_gib TEXT NOT NULL
        );
        CREATE TABLE environments (
          name TEXT PRIMARY KEY,
          kind TEXT NOT NULL CHECK (kind IN ('onnx', 'python')),
          interpreter TEXT NOT NULL DEFAULT '',
          description TEXT NOT NULL DEFAULT '',
          builtin INTEGER NOT NULL DEFAULT 0,
          created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        INSERT INTO environments (name, kind, description, builtin)
          VALUES ('onnx', 'onnx', 'ONNX models on the native engine', 1);
      )sql",
      // 4: Model APIs, their versions and labels, the instances the orchestrator started (to find
      // them again after a restart) and model access tokens.
      R"sql(
        CREATE TABLE model_apis (
          name TEXT PRIMARY KEY,
          owner_id INTEGER NOT NULL REFERENCES users(id),
          description TEXT NOT NULL DEFAULT '',
          environment TEXT NOT NULL REFERENCES environments(name),
          visibility TEXT NOT NULL DEFAULT 'private' CHECK (visibility IN ('public', 'private')),
          tier TEXT NOT NULL DEFAULT '',
          instances INTEGER NOT NULL DEFAULT 0,
          running INTEGER NOT NULL DEFAULT 1,
          active_version INTEGER NOT NULL DEFAULT 0,
          previous_version INTEGER NOT NULL DEFAULT 0,
          deleting INTEGER NOT NULL DEFAULT 0,
          deployed_at TEXT NOT NULL DEFAULT '',
          created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE TABLE model_versions (
          model TEXT NOT NULL REFERENCES model_apis(name) ON DELETE CASCADE,
          version INTEGER NOT NULL,
          sha256 TEXT NOT NULL,
          size INTEGER NOT NULL,
          signature TEXT NOT NULL,
          note TEXT NOT NULL DEFAULT '',
          uploaded_by TEXT NOT NULL,
          uploaded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
          PRIMARY KEY (model, version)
        );
        CREATE TABLE model_labels (
          model TEXT NOT NULL,
          label TEXT NOT NULL,
          version INTEGER NOT NULL,
          PRIMARY KEY (model, label),
          FOREIGN KEY (model, version) REFERENCES model_versions(model, version) ON DELETE CASCADE
        );
        CREATE TABLE instances (
          id TEXT PRIMARY KEY,
          model TEXT NOT NULL,
          version INTEGER NOT NULL,
          owner TEXT NOT NULL,
          tier TEXT NOT NULL,
          node TEXT NOT NULL,
          gpus TEXT NOT NULL,
          cpus TEXT NOT NULL,
          memory_gib TEXT NOT NULL,
          restarts INTEGER NOT NULL DEFAULT 0,
          pid INTEGER NOT NULL,
          pid_start INTEGER NOT NULL,
          port INTEGER NOT NULL,
          started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE TABLE model_access_tokens (
          id TEXT PRIMARY KEY,
          model TEXT NOT NULL REFERENCES model_apis(name) ON DELETE CASCADE,
          name TEXT NOT NULL,
          sha256 TEXT NOT NULL UNIQUE,
          created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
          revoked_at TEXT
        );
      )sql",
      // 5: a deployment's numeric precision on GPUs (`modelhost run --precision`), and the one
      // each recorded instance was started for (an adopted instance is not rolled over for it).
      R"sql(
        ALTER TABLE model_apis ADD COLUMN precision TEXT NOT NULL DEFAULT 'fp32'
          CHECK (precision IN ('fp32', 'tf32', 'fp16', 'bf16'));
        ALTER TABLE instances ADD COLUMN precision TEXT NOT NULL DEFAULT 'fp32';
      )sql",
  };
  return m;
}

Status sqlite_error(sqlite3* db, int rc, std::string_view what) {
  const std::string msg = std::string(what) + ": " + sqlite3_errmsg(db);
  const int primary = rc & 0xff;
  if (primary == SQLITE_CONSTRAINT) {
    const bool unique = rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY;
    return Status(unique ? StatusCode::kAlreadyExists : StatusCode::kFailedPrecondition, msg);
  }
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return unavailable(msg);
  return internal_error(msg);
}

}  // namespace

std::string db_text(const DbValue& v) {
  const auto* s = std::get_if<std::string>(&v);
  return s ? *s : std::string();
}

int64_t db_int(const DbValue& v) {
  const auto* i = std::get_if<int64_t>(&v);
  return i ? *i : 0;
}

DbValue db_real_value(double v) {
  std::ostringstream out;
  out.precision(17);
  out << v;
  return out.str();
}

double db_real(const DbValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return std::strtod(s->c_str(), nullptr);
  return static_cast<double>(db_int(v));
}

Db::~Db() { sqlite3_close_v2(db_); }

Result<std::unique_ptr<Db>> Db::open(const std::string& path) {
  sqlite3* handle = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &handle,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status st = internal_error(std::string("cannot open the database: ") +
                               (handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc)));
    sqlite3_close_v2(handle);
    return st;
  }
  std::unique_ptr<Db> db(new Db(handle));
  sqlite3_busy_timeout(handle, 5000);
  sqlite3_extended_result_codes(handle, 1);  // tells UNIQUE violations from other constraints
  ASSIGN_OR_RETURN(auto mode, db->query("PRAGMA journal_mode = WAL"));
  if (mode.empty() || db_text(mode[0][0]) != "wal") {
    return internal_error("the database cannot use write-ahead logging (journal mode \"" +
                          (mode.empty() ? std::string() : db_text(mode[0][0])) + "\")");
  }
  // FULL: a committed change survives a power loss too, not only a crash of the process.
  RETURN_IF_ERROR(db->exec("PRAGMA synchronous = FULL"));
  RETURN_IF_ERROR(db->exec("PRAGMA foreign_keys = ON"));
  RETURN_IF_ERROR(db->migrate());
  return db;
}

Result<std::vector<DbRow>> Db::query(std::string_view sql, const std::vector<DbValue>& params) {
  std::lock_guard lock(mu_);
  return query_locked(sql, params);
}

Status Db::exec(std::string_view sql, const std::vector<DbValue>& params) {
  return query(sql, params).status();
}

Result<std::vector<DbRow>> Db::query_locked(std::string_view sql,
                                            const std::vector<DbValue>& params) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, "preparing a statement");
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> guard(stmt, sqlite3_finalize);
  for (size_t i = 0; i < params.size(); ++i) {
    const int at = static_cast<int>(i) + 1;
    if (const auto* v = std::get_if<int64_t>(&params[i])) {
      rc = sqlite3_bind_int64(stmt, at, *v);
    } else if (const auto* s = std::get_if<std::string>(&params[i])) {
      rc = sqlite3_bind_text(stmt, at, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
    } else {
      rc = sqlite3_bind_null(stmt, at);
    }
    if (rc != SQLITE_OK) return sqlite_error(db_, rc, "binding a parameter");
  }
  std::vector<DbRow> rows;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    DbRow row;
    const int n = sqlite3_column_count(stmt);
    for (int c = 0; c < n; ++c) {
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_NULL:
          row.emplace_back(nullptr);
          break;
        case SQLITE_INTEGER:
          row.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
          break;
        default: {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          row.emplace_back(
              std::string(text ? text : "", static_cast<size_t>(sqlite3_column_bytes(stmt, c))));
        }
      }
    }
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return sqlite_error(db_, rc, "running a statement");
  return rows;
}

Status Db::transaction(const std::function<Status()>& fn) {
  std::lock_guard lock(mu_);
  // Nested: part of the enclosing transaction, which commits or rolls back the whole.
  if (transaction_depth_ > 0) {
    ++transaction_depth_;
    Status st = fn();
    --transaction_depth_;
    return st;
  }
  RETURN_IF_ERROR(query_locked("BEGIN IMMEDIATE", {}).status());
  ++transaction_depth_;
  Status st = fn();
  --transaction_depth_;
  if (!st.ok()) {
    (void)query_locked("ROLLBACK", {});
    return st;
  }
  Status commit = query_locked("COMMIT", {}).status();
  if (!commit.ok()) (void)query_locked("ROLLBACK", {});
  return commit;
}

int64_t Db::schema_version() {
  auto rows = query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  return rows.ok() && !rows->empty() ? db_int((*rows)[0][0]) : 0;
}

std::string Db::journal_mode() {
  auto rows = query("PRAGMA journal_mode");
  return rows.ok() && !rows->empty() ? db_text((*rows)[0][0]) : "";
}

Status Db::migrate() {
  RETURN_IF_ERROR(
      exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
           "applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"));
  const int64_t have = schema_version();
  const auto& all = migrations();
  if (have > static_cast<int64_t>(all.size())) {
    return failed_precondition("the database is at schema version " + std::to_string(have) +
                               ", newer than this modelhost knows (" + std::to_string(all.size()) +
                               "); use a newer modelhost");
  }
  for (size_t v = static_cast<size_t>(have); v < all.size(); ++v) {
    Status st = transaction([&]() -> Status {
      char* err = nullptr;
      const std::string sql(all[v]);
      if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        Status e = internal_error("migration " + std::to_string(v + 1) +
                                  " failed: " + (err ? err : "unknown error"));
        sqlite3_free(err);
        return e;
      }
      return query_locked("INSERT INTO schema_migrations (version) VALUES (?)",
                          {static_cast<int64_t>(v + 1)})
          .status();
    });
    RETURN_IF_ERROR(st);
  }
  return Status::ok_status();
}

}  // namespace modelhost::control
