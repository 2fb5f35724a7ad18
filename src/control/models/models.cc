// See models.h.
#include "control/models/models.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "common/ids.h"
#include "common/process.h"
#include "common/text.h"

namespace modelhost::control {
namespace {

namespace fs = std::filesystem;

std::string errno_text() { return std::strerror(errno); }

Status fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return internal_error("cannot open " + path + ": " + errno_text());
  const int rc = ::fsync(fd);
  const std::string err = rc != 0 ? errno_text() : "";
  ::close(fd);
  if (rc != 0) return internal_error("fsync " + path + ": " + err);
  return Status::ok_status();
}

constexpr const char* kModelColumns =
    "SELECT m.name, u.name, m.description, m.environment, m.visibility, m.tier, m.instances, "
    "m.running, m.active_version, m.previous_version, "
    "(SELECT COALESCE(MAX(version), 0) FROM model_versions v WHERE v.model = m.name), "
    "m.deleting, m.deployed_at, m.created_at, m.precision "
    "FROM model_apis m JOIN users u ON u.id = m.owner_id ";

ModelApi model_from(const DbRow& r) {
  ModelApi m;
  m.name = db_text(r[0]);
  m.owner = db_text(r[1]);
  m.description = db_text(r[2]);
  m.environment = db_text(r[3]);
  m.visibility = db_text(r[4]);
  m.tier = db_text(r[5]);
  m.instances = db_int(r[6]);
  m.running = db_int(r[7]) != 0;
  m.active_version = db_int(r[8]);
  m.previous_version = db_int(r[9]);
  m.latest_version = db_int(r[10]);
  m.deleting = db_int(r[11]) != 0;
  m.deployed_at = db_text(r[12]);
  m.created_at = db_text(r[13]);
  m.precision = db_text(r[14]);
  return m;
}

Status no_model(std::string_view name) {
  return not_found("no Model API \"" + std::string(name.substr(0, 80)) + "\"");
}

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

}  // namespace

// ---- blobs ------------------------------------------------------------------------------------

BlobStore::BlobStore(std::string data_dir)
    : staging_((fs::path(data_dir) / "staging").string()),
      blobs_((fs::path(data_dir) / "blobs" / "sha256").string()) {}

Status BlobStore::prepare() {
  std::error_code ec;
  fs::create_directories(blobs_, ec);
  if (ec) return internal_error("cannot create " + blobs_ + ": " + ec.message());
  fs::remove_all(staging_, ec);
  fs::create_directories(staging_, ec);
  if (ec) return internal_error("cannot create " + staging_ + ": " + ec.message());
  return Status::ok_status();
}

Result<Blob> BlobStore::seal(const std::string& staged) const {
  const int fd = ::open(staged.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return internal_error("cannot open " + staged + ": " + errno_text());
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 20);
  Blob blob;
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string err = errno_text();
      ::close(fd);
      return internal_error("cannot read " + staged + ": " + err);
    }
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n));
    blob.size += static_cast<uint64_t>(n);
  }
  ::close(fd);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &len);
  static const char* kHex = "0123456789abcdef";
  for (unsigned i = 0; i < len; ++i) {
    blob.sha256 += kHex[digest[i] >> 4];
    blob.sha256 += kHex[digest[i] & 15];
  }
  RETURN_IF_ERROR(fsync_path(staged, O_RDONLY));
  return blob;
}

Status BlobStore::commit(const std::string& staged, const Blob& blob) const {
  const std::string target = path_of(blob.sha256);
  std::error_code ec;
  if (fs::exists(target, ec)) {
    fs::remove(staged, ec);  // the same bytes are stored already
    return Status::ok_status();
  }
  if (::rename(staged.c_str(), target.c_str()) != 0) {
    return internal_error("cannot move " + staged + " to " + target + ": " + errno_text());
  }
  ::chmod(target.c_str(), 0400);
  return fsync_path(blobs_, O_RDONLY | O_DIRECTORY);
}

std::string BlobStore::path_of(std::string_view sha256) const {
  return blobs_ + "/" + std::string(sha256);
}

Result<std::string> validate_model_file(const std::string& path) {
  ASSIGN_OR_RETURN(ProcessOutput out,
                   run_capture({"/proc/self/exe", "validate", path}, std::chrono::minutes(10)));
  if (out.timed_out) {
    return invalid_argument("the model file was refused: loading it took more than 10 minutes");
  }
  if (out.exit_code == 0) {
    // The signature without the name and versions `validate` made up from the file name.
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(out.out, ec);
    if (ec || !v.is_object()) return internal_error("modelhost validate printed no signature");
    v.as_object().erase("name");
    v.as_object().erase("versions");
    return boost::json::serialize(v);
  }
  std::string message = out.err;
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (message.rfind("error: ", 0) == 0) message = message.substr(7);
  if (message.empty()) {
    message =
        "the engine exited with status " + std::to_string(out.exit_code) + " while loading it";
  }
  return invalid_argument("the model file was refused: " + message);
}

// ---- Model APIs -------------------------------------------------------------------------------

Status check_label(std::string_view label) { return check_name("label", label); }

Status check_precision(std::string_view precision) {
  for (std::string_view p : kPrecisions) {
    if (precision == p) return Status::ok_status();
  }
  std::string choices;
  for (std::string_view p : kPrecisions) choices += (choices.empty() ? "" : ", ") + std::string(p);
  return invalid_argument("precision must be one of " + choices + ", got \"" +
                          std::string(precision.substr(0, 40)) + "\"");
}

Status check_precision_on_tier(std::string_view precision, const Tier& tier) {
  if (precision == "fp32" || tier.gpus > 0) return Status::ok_status();
  return invalid_argument("precision " + std::string(precision) + " needs a GPU tier; tier \"" +
                          tier.name + "\" has no GPUs");
}

Result<ModelApi> ModelApis::create(const ModelApi& m, const User& owner, const Blob& blob,
                                   const std::string& signature, const std::string& note) {
  RETURN_IF_ERROR(check_name("Model API name", m.name));
  if (m.description.size() > 2000) {
    return invalid_argument("description is longer than 2000 characters");
  }
  if (m.visibility != "public" && m.visibility != "private") {
    return invalid_argument("visibility must be \"public\" or \"private\", got \"" +
                            m.visibility.substr(0, 40) + "\"");
  }
  Status st = db_.transaction([&]() -> Status {
    ASSIGN_OR_RETURN(auto env,
                     db_.query("SELECT kind FROM environments WHERE name = ?", {m.environment}));
    if (env.empty()) {
      return invalid_argument("no environment \"" + m.environment.substr(0, 80) + "\"");
    }
    if (db_text(env[0][0]) != "onnx") {
      return invalid_argument("environment \"" + m.environment +
                              "\" runs Python code, which Model APIs do not support yet; use "
                              "\"onnx\"");
    }
    Status ins = db_.exec(
        "INSERT INTO model_apis (name, owner_id, description, environment, visibility, "
        "active_version) VALUES (?, ?, ?, ?, ?, 1)",
        {m.name, owner.id, m.description, m.environment, m.visibility});
    if (ins.code() == StatusCode::kAlreadyExists) {
      return Status(StatusCode::kAlreadyExists,
                    "Model API \"" + m.name + "\" exists already; upload a new version instead");
    }
    RETURN_IF_ERROR(ins);
    return db_.exec(
        "INSERT INTO model_versions (model, version, sha256, size, signature, note, uploaded_by) "
        "VALUES (?, 1, ?, ?, ?, ?, ?)",
        {m.name, blob.sha256, static_cast<int64_t>(blob.size), signature, note, owner.name});
  });
  RETURN_IF_ERROR(st);
  return get(m.name);
}

Result<ModelVersion> ModelApis::add_version(std::string_view model, const Blob& blob,
                                            const std::string& signature, const std::string& note,
                                            const User& by, bool activate) {
  int64_t version = 0;
  Status st = db_.transaction([&]() -> Status {
    ASSIGN_OR_RETURN(ModelApi m, get(model));
    if (m.deleting) return failed_precondition("Model API \"" + m.name + "\" is being deleted");
    version = m.latest_version + 1;
    RETURN_IF_ERROR(db_.exec(
        "INSERT INTO model_versions (model, version, sha256, size, signature, note, uploaded_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        {m.name, version, blob.sha256, static_cast<int64_t>(blob.size), signature, note, by.name}));
    if (activate) RETURN_IF_ERROR(this->activate(model, version));
    return Status::ok_status();
  });
  RETURN_IF_ERROR(st);
  return this->version(model, version);
}

Result<ModelApi> ModelApis::get(std::string_view name) {
  ASSIGN_OR_RETURN(auto rows,
                   db_.query(std::string(kModelColumns) + "WHERE m.name = ?", {std::string(name)}));
  if (rows.empty()) return no_model(name);
  return model_from(rows[0]);
}

Result<std::vector<ModelApi>> ModelApis::list(std::optional<std::string> owner) {
  std::vector<DbRow> rows;
  if (owner) {
    ASSIGN_OR_RETURN(
        rows, db_.query(std::string(kModelColumns) + "WHERE u.name = ? ORDER BY m.name", {*owner}));
  } else {
    ASSIGN_OR_RETURN(rows, db_.query(std::string(kModelColumns) + "ORDER BY m.name"));
  }
  std::vector<ModelApi> out;
  for (const auto& r : rows) out.push_back(model_from(r));
  return out;
}

Result<std::vector<ModelVersion>> ModelApis::versions(std::string_view model) {
  ASSIGN_OR_RETURN(ModelApi m, get(model));
  ASSIGN_OR_RETURN(auto rows, db_.query("SELECT version, sha256, size, signature, note, "
                                        "uploaded_by, uploaded_at FROM model_versions "
                                        "WHERE model = ? ORDER BY version",
                                        {m.name}));
  ASSIGN_OR_RETURN(auto labels, db_.query("SELECT label, version FROM model_labels WHERE model = ? "
                                          "ORDER BY label",
                                          {m.name}));
  std::vector<ModelVersion> out;
  for (const auto& r : rows) {
    ModelVersion v{db_int(r[0]),  db_text(r[1]), db_int(r[2]),  db_text(r[3]),
                   db_text(r[4]), db_text(r[5]), db_text(r[6]), {}};
    for (const auto& l : labels) {
      if (db_int(l[1]) == v.version) v.labels.push_back(db_text(l[0]));
    }
    out.push_back(std::move(v));
  }
  return out;
}

Result<ModelVersion> ModelApis::version(std::string_view model, int64_t version) {
  ASSIGN_OR_RETURN(auto all, versions(model));
  for (auto& v : all) {
    if (v.version == version) return v;
  }
  return not_found("Model API \"" + std::string(model) + "\" has no version " +
                   std::to_string(version));
}

Status ModelApis::set_deployment(std::string_view model, const std::string& tier, int64_t instances,
                                 const std::string& precision) {
  if (instances < 1 || instances > 32) {
    return invalid_argument("instances must be 1 to 32, got " + std::to_string(instances));
  }
  RETURN_IF_ERROR(check_precision(precision));
  return db_.exec(std::string("UPDATE model_apis SET tier = ?, instances = ?, precision = ?, "
                              "running = 1, deployed_at = ") +
                      kNow + " WHERE name = ?",
                  {tier, instances, precision, std::string(model)});
}

Status ModelApis::set_running(std::string_view model, bool running) {
  return db_.exec("UPDATE model_apis SET running = ? WHERE name = ?",
                  {int64_t{running ? 1 : 0}, std::string(model)});
}

Status ModelApis::set_visibility(std::string_view model, const std::string& visibility) {
  if (visibility != "public" && visibility != "private") {
    return invalid_argument("visibility must be \"public\" or \"private\", got \"" +
                            visibility.substr(0, 40) + "\"");
  }
  return db_.exec("UPDATE model_apis SET visibility = ? WHERE name = ?",
                  {visibility, std::string(model)});
}

Status ModelApis::set_description(std::string_view model, const std::string& description) {
  if (description.size() > 2000) {
    return invalid_argument("description is longer than 2000 characters");
  }
  return db_.exec("UPDATE model_apis SET description = ? WHERE name = ?",
                  {description, std::string(model)});
}

Status ModelApis::activate(std::string_view model, int64_t version) {
  return db_.transaction([&]() -> Status {
    ASSIGN_OR_RETURN(ModelApi m, get(model));
    RETURN_IF_ERROR(this->version(model, version).status());
    if (m.active_version == version) return Status::ok_status();
    return db_.exec(std::string("UPDATE model_apis SET previous_version = active_version, "
                                "active_version = ?, deployed_at = CASE WHEN tier = '' THEN '' "
                                "ELSE ") +
                        kNow + " END WHERE name = ?",
                    {version, m.name});
  });
}

Result<int64_t> ModelApis::rollback(std::string_view model) {
  ASSIGN_OR_RETURN(ModelApi m, get(model));
  if (m.previous_version == 0) {
    return failed_precondition("Model API \"" + m.name +
                               "\" has no earlier active version to roll back to");
  }
  RETURN_IF_ERROR(activate(model, m.previous_version));
  return m.previous_version;
}

Status ModelApis::set_label(std::string_view model, const std::string& label, int64_t version) {
  RETURN_IF_ERROR(check_label(label));
  RETURN_IF_ERROR(this->version(model, version).status());
  return db_.exec(
      "INSERT INTO model_labels (model, label, version) VALUES (?, ?, ?) "
      "ON CONFLICT (model, label) DO UPDATE SET version = excluded.version",
      {std::string(model), label, version});
}

Status ModelApis::remove_label(std::string_view model, const std::string& label) {
  ASSIGN_OR_RETURN(auto rows, db_.query("SELECT 1 FROM model_labels WHERE model = ? AND label = ?",
                                        {std::string(model), label}));
  if (rows.empty()) {
    return not_found("Model API \"" + std::string(model) + "\" has no label \"" +
                     label.substr(0, 80) + "\"");
  }
  return db_.exec("DELETE FROM model_labels WHERE model = ? AND label = ?",
                  {std::string(model), label});
}

Status ModelApis::mark_deleting(std::string_view model) {
  RETURN_IF_ERROR(get(model).status());
  return db_.exec("UPDATE model_apis SET deleting = 1, running = 0 WHERE name = ?",
                  {std::string(model)});
}

Status ModelApis::erase(std::string_view model) {
  return db_.transaction([&]() -> Status {
    RETURN_IF_ERROR(db_.exec("DELETE FROM model_labels WHERE model = ?", {std::string(model)}));
    return db_.exec("DELETE FROM model_apis WHERE name = ?", {std::string(model)});
  });
}

Result<std::vector<std::string>> ModelApis::orphan_blobs(
    const std::vector<std::string>& candidates) {
  std::vector<std::string> out;
  for (const auto& sha : candidates) {
    ASSIGN_OR_RETURN(auto rows,
                     db_.query("SELECT 1 FROM model_versions WHERE sha256 = ? LIMIT 1", {sha}));
    if (rows.empty()) out.push_back(sha);
  }
  return out;
}

Result<Resources> ModelApis::desired_usage(const std::string& user, std::string_view except) {
  ASSIGN_OR_RETURN(auto rows,
                   db_.query("SELECT m.instances, t.gpus, t.cpu_request, t.memory_request_gib "
                             "FROM model_apis m JOIN users u ON u.id = m.owner_id "
                             "JOIN tiers t ON t.name = m.tier "
                             "WHERE u.name = ? AND m.name <> ? AND m.running = 1 AND "
                             "m.deleting = 0",
                             {user, std::string(except)}));
  Resources r;
  for (const auto& row : rows) {
    const int64_t n = db_int(row[0]);
    r.instances += n;
    r.gpus += n * db_int(row[1]);
    r.cpus += static_cast<double>(n) * db_real(row[2]);
    r.memory_gib += static_cast<double>(n) * db_real(row[3]);
  }
  return r;
}

Result<std::pair<AccessToken, std::string>> ModelApis::issue_access_token(std::string_view model,
                                                                          const std::string& name) {
  RETURN_IF_ERROR(check_name("token name", name));
  ASSIGN_OR_RETURN(ModelApi m, get(model));
  const std::string id = new_id("mat-");
  const std::string secret = "mha_" + random_hex(128);
  RETURN_IF_ERROR(
      db_.exec("INSERT INTO model_access_tokens (id, model, name, sha256) VALUES (?, ?, ?, ?)",
               {id, m.name, name, sha256_hex(secret)}));
  ASSIGN_OR_RETURN(auto tokens, access_tokens(model));
  for (auto& t : tokens) {
    if (t.id == id) return std::make_pair(t, secret);
  }
  return internal_error("the new access token was not stored");
}

Result<std::vector<AccessToken>> ModelApis::access_tokens(std::string_view model) {
  ASSIGN_OR_RETURN(ModelApi m, get(model));
  ASSIGN_OR_RETURN(auto rows, db_.query("SELECT id, name, model, created_at, revoked_at FROM "
                                        "model_access_tokens WHERE model = ? ORDER BY created_at",
                                        {m.name}));
  std::vector<AccessToken> out;
  for (const auto& r : rows) {
    out.push_back({db_text(r[0]), db_text(r[1]), db_text(r[2]), db_text(r[3]), db_text(r[4])});
  }
  return out;
}

Status ModelApis::revoke_access_token(std::string_view model, std::string_view id) {
  ASSIGN_OR_RETURN(auto rows,
                   db_.query("SELECT 1 FROM model_access_tokens WHERE model = ? AND id = ?",
                             {std::string(model), std::string(id)}));
  if (rows.empty()) {
    return not_found("Model API \"" + std::string(model) + "\" has no access token \"" +
                     std::string(id.substr(0, 80)) + "\"");
  }
  return db_.exec(std::string("UPDATE model_access_tokens SET revoked_at = ") + kNow +
                      " WHERE id = ? AND revoked_at IS NULL",
                  {std::string(id)});
}

Result<bool> ModelApis::check_access_token(std::string_view model, std::string_view secret) {
  ASSIGN_OR_RETURN(auto rows, db_.query("SELECT 1 FROM model_access_tokens WHERE model = ? AND "
                                        "sha256 = ? AND revoked_at IS NULL",
                                        {std::string(model), sha256_hex(secret)}));
  return !rows.empty();
}

}  // namespace modelhost::control
