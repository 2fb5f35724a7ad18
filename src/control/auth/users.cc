// See users.h.
#include "control/auth/users.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/ids.h"
#include "common/text.h"

namespace modelhost::control {
namespace {

constexpr std::string_view kTokenPrefix = "mh_";

User user_from(const DbRow& r) {
  return User{db_int(r[0]), db_text(r[1]), db_text(r[2]), db_text(r[3])};
}

TokenInfo token_from(const DbRow& r) {
  return TokenInfo{db_text(r[0]), db_text(r[1]), db_text(r[2]), db_text(r[3]), db_text(r[4])};
}

constexpr const char* kTokenColumns =
    "SELECT t.id, t.name, u.name, t.created_at, COALESCE(t.revoked_at, '') FROM tokens t "
    "JOIN users u ON u.id = t.user_id ";

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

Status check_name(std::string_view what, std::string_view name) {
  if (is_valid_name(name)) return Status::ok_status();
  std::string shown(name.substr(0, 80));
  return invalid_argument(
      std::string(what) + " \"" + shown +
      "\" is not valid: use 1 to 64 of A-Z a-z 0-9 . _ - (not \".\" or \"..\")");
}

Result<Principal> Users::authenticate(std::string_view token) {
  const std::string hash = sha256_hex(token);
  ASSIGN_OR_RETURN(auto rows, db_.query("SELECT u.id, u.name, u.role, u.created_at, t.id, t.sha256 "
                                        "FROM tokens t JOIN users u ON u.id = t.user_id "
                                        "WHERE t.sha256 = ? AND t.revoked_at IS NULL",
                                        {hash}));
  const std::string stored = rows.empty() ? std::string(64, '0') : db_text(rows[0][5]);
  const bool match = !rows.empty() && stored.size() == hash.size() &&
                     CRYPTO_memcmp(stored.data(), hash.data(), hash.size()) == 0;
  if (!match) return Status(StatusCode::kUnauthenticated, "invalid or revoked token");
  return Principal{user_from(rows[0]), db_text(rows[0][4])};
}

Result<std::optional<std::string>> Users::bootstrap_admin(std::optional<std::string> preset) {
  if (preset && preset->size() < 32) {
    return invalid_argument("MODELHOST_ADMIN_TOKEN must be at least 32 characters");
  }
  std::optional<std::string> shown;
  Status st = db_.transaction([&]() -> Status {
    ASSIGN_OR_RETURN(auto count, db_.query("SELECT COUNT(*) FROM users"));
    if (db_int(count[0][0]) > 0) return Status::ok_status();
    ASSIGN_OR_RETURN(User admin, create("admin", "admin"));
    const std::string secret = preset ? *preset : std::string(kTokenPrefix) + random_hex(128);
    RETURN_IF_ERROR(store_token(admin, "initial", secret).status());
    shown = preset ? std::string() : secret;
    return Status::ok_status();
  });
  RETURN_IF_ERROR(st);
  return shown;
}

Result<User> Users::create(std::string_view name, std::string_view role) {
  RETURN_IF_ERROR(check_name("user name", name));
  if (role != "admin" && role != "user") {
    return invalid_argument("role must be \"admin\" or \"user\", got \"" +
                            std::string(role.substr(0, 40)) + "\"");
  }
  auto st = db_.exec("INSERT INTO users (name, role) VALUES (?, ?)",
                     {std::string(name), std::string(role)});
  if (st.code() == StatusCode::kAlreadyExists) {
    return Status(StatusCode::kAlreadyExists, "user \"" + std::string(name) + "\" exists already");
  }
  RETURN_IF_ERROR(st);
  return find(name);
}

Result<std::vector<User>> Users::list() {
  ASSIGN_OR_RETURN(auto rows,
                   db_.query("SELECT id, name, role, created_at FROM users ORDER BY name"));
  std::vector<User> out;
  for (const auto& r : rows) out.push_back(user_from(r));
  return out;
}

Result<User> Users::find(std::string_view name) {
  ASSIGN_OR_RETURN(auto rows,
                   db_.query("SELECT id, name, role, created_at FROM users WHERE name = ?",
                             {std::string(name)}));
  if (rows.empty()) return not_found("no user \"" + std::string(name.substr(0, 80)) + "\"");
  return user_from(rows[0]);
}

Result<std::pair<TokenInfo, std::string>> Users::issue_token(std::string_view user,
                                                             std::string_view token_name) {
  RETURN_IF_ERROR(check_name("token name", token_name));
  ASSIGN_OR_RETURN(User u, find(user));
  return store_token(u, token_name, std::string(kTokenPrefix) + random_hex(128));
}

Result<std::pair<TokenInfo, std::string>> Users::store_token(const User& user,
                                                             std::string_view token_name,
                                                             std::string secret) {
  const std::string id = new_id("tok-");
  RETURN_IF_ERROR(db_.exec("INSERT INTO tokens (id, user_id, name, sha256) VALUES (?, ?, ?, ?)",
                           {id, user.id, std::string(token_name), sha256_hex(secret)}));
  ASSIGN_OR_RETURN(TokenInfo info, find_token(id));
  return std::make_pair(std::move(info), std::move(secret));
}

Result<std::vector<TokenInfo>> Users::tokens_of(std::string_view user) {
  RETURN_IF_ERROR(find(user).status());
  ASSIGN_OR_RETURN(auto rows, db_.query(std::string(kTokenColumns) +
                                            "WHERE u.name = ? ORDER BY t.created_at, t.id",
                                        {std::string(user)}));
  std::vector<TokenInfo> out;
  for (const auto& r : rows) out.push_back(token_from(r));
  return out;
}

Result<TokenInfo> Users::find_token(std::string_view id) {
  ASSIGN_OR_RETURN(auto rows,
                   db_.query(std::string(kTokenColumns) + "WHERE t.id = ?", {std::string(id)}));
  if (rows.empty()) return not_found("no token \"" + std::string(id.substr(0, 80)) + "\"");
  return token_from(rows[0]);
}

Status Users::revoke_token(std::string_view id) {
  RETURN_IF_ERROR(find_token(id).status());
  return db_.exec(
      "UPDATE tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
      "WHERE id = ? AND revoked_at IS NULL",
      {std::string(id)});
}

}  // namespace modelhost::control
