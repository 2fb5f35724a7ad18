// Users and their API tokens, kept in the controller's database.
//
// A token is "mh_" and 32 hex digits (128 random bits). Only its SHA-256 is stored; the secret
// is shown once, when it is created, and never logged. Authentication hashes the presented token,
// finds the row by hash and compares the hashes in constant time. Roles: "admin" sees and changes
// everything, "user" only their own things.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "control/store/db.h"

namespace modelhost::control {

struct User {
  int64_t id = 0;
  std::string name;
  std::string role;  // "admin" or "user"
  std::string created_at;
};

struct TokenInfo {
  std::string id;  // "tok-<hex>": names the token in the API; not a secret
  std::string name;
  std::string user;
  std::string created_at;
  std::string revoked_at;  // "" while valid
};

// Who a request comes from.
struct Principal {
  User user;
  std::string token_id;
  bool is_admin() const { return user.role == "admin"; }
};

// The SHA-256 of `data` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

// Error unless common/text.h's is_valid_name(name):
// "name \"../x\" is not valid: use 1 to 64 of A-Z a-z 0-9 . _ -"
Status check_name(std::string_view what, std::string_view name);

class Users {
 public:
  explicit Users(Db& db) : db_(db) {}

  // The principal a presented token stands for; kUnauthenticated for an unknown or revoked one.
  Result<Principal> authenticate(std::string_view token);

  // On a database without users: creates the admin user with `preset` as its token (from the
  // environment) or a new random one, and returns the new token's secret (empty when preset).
  // nullopt when users exist already. A preset token must be at least 32 characters.
  Result<std::optional<std::string>> bootstrap_admin(std::optional<std::string> preset);

  Result<User> create(std::string_view name, std::string_view role);
  Result<std::vector<User>> list();
  Result<User> find(std::string_view name);

  // A new token for `user`; the secret is in the returned pair's second.
  Result<std::pair<TokenInfo, std::string>> issue_token(std::string_view user,
                                                        std::string_view token_name);
  Result<std::vector<TokenInfo>> tokens_of(std::string_view user);
  Result<TokenInfo> find_token(std::string_view id);
  Status revoke_token(std::string_view id);

 private:
  Result<std::pair<TokenInfo, std::string>> store_token(const User& user,
                                                        std::string_view token_name,
                                                        std::string secret);
  Db& db_;
};

}  // namespace modelhost::control
